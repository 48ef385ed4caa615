import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { manifestKey, serializeManifest } from '../../packages/core/src/catalog/index.js';
import { chooseBackup, selectBackup } from '../../packages/core/src/drill/select.js';
import { MemoryStore } from '../support/memory-store.js';
import { idAt, putObject, writeBackup } from './fixtures.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-06-10T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('choosing the backup to drill, with backups dated in the future', () => {
  it('passes over backups whose id or manifest times lie beyond the allowed skew, and says so', async () => {
    const store = new MemoryStore();
    const real = idAt(at(-2 * HOUR), 'realrl');
    const ahead = idAt(at(365 * 24 * HOUR), 'future');
    const slight = idAt(at(3 * 60_000), 'slight');
    const lying = idAt(at(-HOUR), 'lyinga');
    await writeBackup(store, 'app', real);
    await writeBackup(store, 'app', ahead);
    const { manifest } = await writeBackup(store, 'app', lying);
    // An id in the past, but a manifest that says it finished a day from now.
    await putObject(store, manifestKey('app', lying), serializeManifest({ ...manifest, finishedAt: at(24 * HOUR) }));
    const { backups } = await readCatalog(store, 'app');

    const chosen = chooseBackup(backups, { now: NOW });
    expect(chosen.chosen?.id).toBe(real);
    expect(chosen.future).toEqual([
      expect.stringMatching(new RegExp(`^Backup ${ahead} was passed over: its id \\(2027-06-10T12:00:00\\.000Z\\) lies 365d in the future`)),
      expect.stringMatching(new RegExp(`^Backup ${lying} was passed over: its manifest's finishedAt \\(2026-06-11T12:00:00\\.000Z\\) lies 1d in the future`)),
    ]);

    // Within the skew allowed (a runner whose clock is a few minutes fast), a backup counts.
    await writeBackup(store, 'app', slight);
    const again = chooseBackup((await readCatalog(store, 'app')).backups, { now: NOW });
    expect(again.chosen?.id).toBe(slight);

    // Asked for by id, it is taken as asked (the drill then reports its age as unknown).
    expect(chooseBackup(backups, { backupId: ahead, now: NOW }).chosen?.id).toBe(ahead);
  });

  it('names the backups passed over when nothing else is left', async () => {
    const store = new MemoryStore();
    await writeBackup(store, 'app', idAt(at(30 * 24 * HOUR), 'future'));
    await expect(selectBackup(store, { name: 'app', now: NOW })).rejects.toThrow(/No complete backup exists\. Backup \S+-future was passed over: its id/);
  });
});
