import { describe, expect, it } from 'vitest';
import { groupListing, listingOf } from '../../packages/core/src/catalog/listing.js';

const A = '20250101T020000Z-aaaaaa';
const B = '20250102T020000Z-bbbbbb';
const D = '20250103T100000Z-drlldr';

function objects(...keys: string[]) {
  return keys.map((key, i) => ({ key, size: 10 + i }));
}

describe('groupListing', () => {
  it('groups backup folders by name, newest first, and marks which have a manifest', () => {
    const grouped = groupListing(
      objects(`db/${A}/db.pgdump.pgp`, `db/${A}/stats.json.pgp`, `db/${A}/manifest.json`, `db/${B}/db.pgdump.pgp`),
    );
    const db = listingOf(grouped, 'db');
    expect(db.folders.map((f) => [f.id, f.hasManifest, f.objects.map((o) => o.file)])).toEqual([
      [B, false, ['db.pgdump.pgp']],
      [A, true, ['db.pgdump.pgp', 'manifest.json', 'stats.json.pgp']],
    ]);
  });

  it('separates drill records, names and strays, whatever order the listing comes in', () => {
    const grouped = groupListing(
      objects(
        `shop/${A}/manifest.json`,
        `db/drills/${D}.json`,
        `db/drills/${D}.json.sig`,
        `db/drills/notes.txt`,
        `db/README.md`,
        `db/not-an-id/file`,
        `db/${B}/manifest.json`,
        'top-level-file',
        'other/stuff.bin',
        `.hidden/${A}/manifest.json`,
      ),
    );
    expect([...grouped.keys()]).toEqual(['db', 'shop']);
    const db = listingOf(grouped, 'db');
    expect(db.drillObjects.map((o) => o.key)).toEqual([`db/drills/${D}.json`]);
    expect([...db.drillSignatures]).toEqual([`db/drills/${D}.json.sig`]);
    expect(db.strays).toEqual(['db/README.md', 'db/drills/notes.txt', 'db/not-an-id/file']);
    expect(db.folders.map((f) => f.id)).toEqual([B]);
  });

  it('keeps files of nested folders inside a backup with their relative path', () => {
    const db = listingOf(groupListing(objects(`db/${A}/parts/0001.pgp`, `db/${A}/manifest.json`)), 'db');
    expect(db.folders[0]!.objects.map((o) => o.file)).toEqual(['manifest.json', 'parts/0001.pgp']);
  });

  it('does not treat a folder of unrelated data as a backup name', () => {
    expect([...groupListing(objects('logs/2025/01/app.log', 'logs/readme')).keys()]).toEqual([]);
  });

  it('returns an empty listing for a name it never saw', () => {
    expect(listingOf(new Map(), 'db')).toEqual({ name: 'db', folders: [], drillObjects: [], drillSignatures: new Set(), shared: [], strays: [] });
  });

  it('keeps shared objects (`<name>/objects/`) apart from strays, under a name that holds backups only', () => {
    const grouped = groupListing(objects(`db/${A}/manifest.json`, `db/objects/${A}/0.pgp`, `db/objects/${A}/1.pgp`, 'logs/objects/x'));
    const db = listingOf(grouped, 'db');
    expect(db.shared.map((o) => o.key)).toEqual([`db/objects/${A}/0.pgp`, `db/objects/${A}/1.pgp`]);
    expect(db.strays).toEqual([]);
    expect([...grouped.keys()]).toEqual(['db']);
  });
});
