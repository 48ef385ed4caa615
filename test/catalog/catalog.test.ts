import { describe, expect, it } from 'vitest';
import { readCatalog, readStoreCatalog, resolveBackupName } from '../../packages/core/src/catalog/catalog.js';
import { newestComplete, newestDrilled } from '../../packages/core/src/catalog/decisions.js';
import { readGateFacts } from '../../packages/core/src/gate/gate.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { MemoryStore } from '../support/memory-store.js';
import { withFaults } from '../retention/faulty-store.js';
import { idAt, putObject, writeBackup, writeDrill } from './fixtures.js';

describe('readCatalog', () => {
  it('reports complete, incomplete and unreadable backups with time, size, encryption and last drill', async () => {
    const store = new MemoryStore();
    const a = idAt('2025-01-01T02:00:00Z');
    const b = idAt('2025-01-02T02:00:00Z');
    const c = idAt('2025-01-03T02:00:00Z');
    const d = idAt('2025-01-04T02:00:00Z');
    const e = idAt('2025-01-05T02:00:00Z');
    const fa = await writeBackup(store, 'db', a, { encryption: 'none' });
    await writeBackup(store, 'db', b);
    await writeBackup(store, 'db', c, { complete: false });
    await writeBackup(store, 'db', d);
    store.set(`db/${d}/manifest.json`, '{"format": 1, "id": "truncated'); // damaged
    await writeBackup(store, 'db', e);
    store.set(`db/${e}/manifest.json`, JSON.stringify({ format: 2, id: e }));
    await writeDrill(store, 'db', { backupId: b, verdict: 'pass', finishedAt: '2025-01-02T05:00:00Z' });
    await writeDrill(store, 'db', { backupId: b, verdict: 'fail', finishedAt: '2025-01-03T05:00:00Z', failure: 'row count of orders: expected 10, got 9' });
    await writeDrill(store, 'db', { backupId: a, verdict: 'pass', finishedAt: '2025-01-01T05:00:00Z' });

    const catalog = await readCatalog(store, 'db');
    expect(catalog.backups.map((x) => [x.id, x.state])).toEqual([
      [e, 'unreadable'],
      [d, 'unreadable'],
      [c, 'incomplete'],
      [b, 'complete'],
      [a, 'complete'],
    ]);
    const byId = Object.fromEntries(catalog.backups.map((x) => [x.id, x]));
    expect(byId[a]!.time.toISOString()).toBe('2025-01-01T02:00:00.000Z');
    expect(byId[a]!.size).toBe(store.keys(`db/${a}/`).reduce((n, k) => n + store.objects.get(k)!.bytes.length, 0));
    expect(byId[a]!.manifest?.encryption.scheme).toBe('none');
    expect(byId[a]!.manifest?.objects).toEqual(fa.manifest.objects);
    expect(byId[b]!.manifest?.encryption.scheme).toBe('openpgp');
    expect(byId[b]!.lastDrill).toMatchObject({ verdict: 'fail', failure: 'row count of orders: expected 10, got 9' });
    expect(byId[b]!.passedDrill).toBe(true);
    expect(byId[a]!.lastDrill?.verdict).toBe('pass');
    expect(byId[c]!.passedDrill).toBe(false);
    expect(byId[d]!.problem).toMatch(/is not valid JSON/);
    expect(byId[e]!.problem).toMatch(/has format 2, newer than this Lifeboat reads/);
    expect(catalog.drills.map((x) => x.verdict)).toEqual(['fail', 'pass', 'pass']);

    expect(newestComplete(catalog.backups)?.id).toBe(b);
    expect(newestDrilled(catalog.backups)?.id).toBe(b);
    expect(catalog.drills[0]?.finishedAt.toISOString()).toBe('2025-01-03T05:00:00.000Z');
  });

  it('marks a manifest stored under the wrong folder as unreadable', async () => {
    const store = new MemoryStore();
    const a = idAt('2025-01-01T02:00:00Z');
    const b = idAt('2025-01-02T02:00:00Z');
    const copy = await writeBackup(store, 'db', a);
    await writeBackup(store, 'db', b, { complete: false });
    store.set(`db/${b}/manifest.json`, store.objects.get(copy.keys.at(-1)!)!.bytes);
    const catalog = await readCatalog(store, 'db');
    expect(catalog.backups[0]).toMatchObject({ id: b, state: 'unreadable' });
    expect(catalog.backups[0]!.problem).toContain(`describes db/${a}`);
  });

  it('reports drill records it cannot read, with the time their name encodes', async () => {
    const store = new MemoryStore();
    await writeBackup(store, 'db', idAt('2025-01-01T02:00:00Z'));
    store.set(`db/drills/${idAt('2025-02-01T00:00:00Z', 'zzzzzz')}.json`, '{"format": 9}');
    const catalog = await readCatalog(store, 'db');
    expect(catalog.drills).toEqual([]);
    expect(catalog.unreadableDrills).toHaveLength(1);
    expect(catalog.unreadableDrills[0]!.problem).toMatch(/is not a Lifeboat drill record/);
    expect(catalog.unreadableDrills[0]!.time?.toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });

  it('counts an unreadable drill record from the same second as the newest readable drill as maybe newer', async () => {
    // Ids carry whole seconds: a record whose id sorts lower may still have started later in that second.
    const store = new MemoryStore();
    const backupId = idAt('2025-01-01T02:00:00Z');
    await writeBackup(store, 'db', backupId);
    await writeDrill(store, 'db', { backupId, verdict: 'pass', finishedAt: '2025-01-01T03:00:05.700Z', id: idAt('2025-01-01T02:58:05Z', 'zzzzzz') });
    const now = new Date('2025-01-01T04:00:00Z');
    expect((await readGateFacts(store, 'db', now)).unreadableDrill).toBeUndefined();
    const sameSecond = `db/drills/${idAt('2025-01-01T02:58:05Z', 'aaaaaa')}.json`;
    store.set(sameSecond, '{"format": 9}');
    expect((await readGateFacts(store, 'db', now)).unreadableDrill?.key).toBe(sameSecond);
    // One from the second before the readable drill started is older, and is left to the listing.
    store.objects.delete(sameSecond);
    store.set(`db/drills/${idAt('2025-01-01T02:58:04Z', 'zzzzzz')}.json`, '{"format": 9}');
    expect((await readGateFacts(store, 'db', now)).unreadableDrill).toBeUndefined();
  });

  it('reads every page of a long listing: the newest backup sits on the last page', async () => {
    const store = new MemoryStore();
    store.pageSize = 7;
    const ids: string[] = [];
    for (let day = 1; day <= 40; day++) {
      const id = idAt(new Date(Date.UTC(2025, 0, day, 2)).toISOString());
      ids.push(id);
      await writeBackup(store, 'db', id, { complete: day !== 40 });
    }
    const catalog = await readCatalog(store, 'db');
    expect(store.pagesServed).toBeGreaterThan(10);
    expect(catalog.backups).toHaveLength(40);
    expect(catalog.backups[0]).toMatchObject({ id: ids[39], state: 'incomplete' });
    expect(newestComplete(catalog.backups)?.id).toBe(ids[38]);
  });

  it('fails when a listing page fails, instead of returning what it saw so far', async () => {
    const memory = new MemoryStore();
    for (let day = 1; day <= 5; day++) await writeBackup(memory, 'db', idAt(new Date(Date.UTC(2025, 0, day)).toISOString()));
    const store = withFaults(memory, { list: { afterObjects: 6, error: new Error('ListObjectsV2 page 2: 503 SlowDown') } });
    await expect(readCatalog(store, 'db')).rejects.toThrow('503 SlowDown');
    await expect(readStoreCatalog(store)).rejects.toThrow('503 SlowDown');
  });

  it('fails when a listed manifest cannot be fetched, instead of calling the backup incomplete', async () => {
    const memory = new MemoryStore();
    const id = idAt('2025-01-01T00:00:00Z');
    await writeBackup(memory, 'db', id);
    const store = withFaults(memory, { getFails: (key) => (key.endsWith('manifest.json') ? new Error('GetObject: connection reset') : undefined) });
    await expect(readCatalog(store, 'db')).rejects.toThrow('connection reset');
  });

  it('lists every name under the root, and ignores objects that are not backups', async () => {
    const store = new MemoryStore();
    await writeBackup(store, 'shop', idAt('2025-01-01T00:00:00Z'));
    await writeBackup(store, 'db', idAt('2025-01-02T00:00:00Z'));
    await writeDrill(store, 'canister', { verdict: 'pass', finishedAt: '2025-01-03T00:00:00Z' });
    await putObject(store, 'unrelated/data.csv', 'x');
    const catalogs = await readStoreCatalog(store);
    expect(catalogs.map((c) => [c.name, c.backups.length, c.drills.length])).toEqual([
      ['canister', 0, 1],
      ['db', 1, 0],
      ['shop', 1, 0],
    ]);
  });
});

describe('resolveBackupName', () => {
  it('takes the given name, the only name, or nothing in an empty store', async () => {
    const store = new MemoryStore();
    expect(await resolveBackupName(store, 'db')).toBe('db');
    expect(await resolveBackupName(store, undefined)).toBeUndefined();
    await writeBackup(store, 'shop', idAt('2025-01-01T00:00:00Z'));
    expect(await resolveBackupName(store, undefined)).toBe('shop');
  });

  it('asks for a name when the store holds several, naming them', async () => {
    const store = new MemoryStore();
    await writeBackup(store, 'shop', idAt('2025-01-01T00:00:00Z'));
    await writeBackup(store, 'db', idAt('2025-01-01T00:00:00Z'));
    const error = await resolveBackupName(store, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).message).toBe('memory://test holds backups of several names (`db`, `shop`); the operation needs one.');
    expect((error as OptionError).fix).toBe('Set `name` to one of them.');
  });

  it('rejects a name that is not one path segment', async () => {
    await expect(resolveBackupName(new MemoryStore(), '../etc')).rejects.toThrow(/is not a usable backup name/);
    await expect(readCatalog(new MemoryStore(), 'drills')).rejects.toThrow(OptionError);
  });
});
