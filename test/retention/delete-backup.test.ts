import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { manifestKey, serializeManifest } from '../../packages/core/src/catalog/index.js';
import { deleteBackup } from '../../packages/core/src/retention/delete-backup.js';
import type { DeleteResult } from '../../packages/core/src/storage/store.js';
import { MemoryStore } from '../support/memory-store.js';
import { idAt, putObject, writeBackup } from '../catalog/fixtures.js';
import { withFaults } from './faulty-store.js';

const ID = idAt('2025-01-01T00:00:00Z');

describe('deleteBackup', () => {
  it('leaves alone an incomplete backup whose manifest appeared after the listing', async () => {
    const store = withFaults(new MemoryStore());
    const fixture = await writeBackup(store, 'db', ID, { complete: false });
    const [backup] = (await readCatalog(store, 'db')).backups;
    await putObject(store, manifestKey('db', ID), serializeManifest(fixture.manifest)); // the run finished meanwhile
    const result = await deleteBackup(store, backup!);
    expect(result.status).toBe('skipped');
    expect(result.message).toContain('has a manifest now');
    expect(store.deleteRequests).toEqual([]);
  });

  it('deletes only the keys it listed: an object written since stays', async () => {
    const store = new MemoryStore();
    await writeBackup(store, 'db', ID);
    const [backup] = (await readCatalog(store, 'db')).backups;
    await putObject(store, `db/${ID}/manifest.json.sig`, 'late signature');
    const result = await deleteBackup(store, backup!);
    expect(result.status).toBe('deleted');
    expect(store.keys()).toEqual([`db/${ID}/manifest.json.sig`]);
  });

  it('with a payload in several parts, removes the manifest once any part is gone, even if another part failed', async () => {
    const memory = new MemoryStore();
    const fixture = await writeBackup(memory, 'db', ID, { complete: false });
    const part2 = { ...fixture.manifest.objects[0]!, file: 'db.pgdump.pgp.002' };
    await putObject(memory, `db/${ID}/${part2.file}`, memory.objects.get(fixture.payloadKey)!.bytes);
    await putObject(memory, manifestKey('db', ID), serializeManifest({ ...fixture.manifest, objects: [...fixture.manifest.objects, part2] }));
    const [backup] = (await readCatalog(memory, 'db')).backups;
    const store = withFaults(memory, { deleteFails: (key) => (key.endsWith('.002') ? { reason: 'InternalError' } : undefined) });
    const result = await deleteBackup(store, backup!);
    expect(result.status).toBe('failed');
    expect(result.manifestKept).toBe(false);
    expect(memory.keys()).toEqual([`db/${ID}/db.pgdump.pgp.002`]);
  });

  it('counts a key the store neither confirmed nor refused as not deleted, and keeps the manifest', async () => {
    const memory = new MemoryStore();
    await writeBackup(memory, 'db', ID);
    const [backup] = (await readCatalog(memory, 'db')).backups;
    const forgetful = Object.assign(Object.create(memory) as MemoryStore, {
      delete: async (): Promise<DeleteResult> => ({ deleted: [], failed: [] }),
    });
    const result = await deleteBackup(forgetful, backup!);
    expect(result.status).toBe('failed');
    expect(result.failed).toEqual([{ key: `db/${ID}/db.pgdump.pgp`, reason: 'the store did not confirm the deletion' }]);
    expect(result.manifestKept).toBe(true);
    expect(memory.keys()).toHaveLength(3);
  });
});
