/**
 * `backup-if-stale` as the adapters run it (gateWithFreshBackup): a real PostgreSQL server and
 * a real local store. With `name` empty the gate reads the only name in the store, and the
 * fresh backup must land under that name, not under the database's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, listBackupNames } from '../../packages/core/src/catalog/catalog.js';
import { gateWithFreshBackup } from '../../packages/core/src/gate/gate-with-backup.js';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { gateOperation } from '../../packages/core/src/options/gate.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { openStore } from '../../packages/core/src/storage/open-store.js';
import { idAt, writeBackup, writeDrill } from '../catalog/fixtures.js';
import { startPostgres, type PgServer } from '../services/postgres.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let server: PgServer;
let folder: string;

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('shopdb');
  await server.query('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)', [], 'shopdb');
  folder = mkdtempSync(join(tmpdir(), 'lifeboat-gate-fresh-'));
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('gate with backup-if-stale and no name', () => {
  it('takes the fresh backup under the only name in the store, and passes on it', async () => {
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const context = {
      reporter: new MemoryReporter(),
      env: { LIFEBOAT_DATABASE_URL: server.url('shopdb'), LIFEBOAT_ENCRYPTION: 'none' },
      surface: 'library' as const,
      tempDir: tmpdir(),
      now: () => new Date(),
    };
    const options = resolveOptions(gateOperation, objectSource({ store: folder, 'backup-if-stale': 'true' }));
    expect(options.name).toBeUndefined();
    const store = await openStore(options, context);
    const old = idAt(at(3 * DAY));
    await writeBackup(store, 'app', old);
    await writeDrill(store, 'app', { backupId: old, verdict: 'pass', finishedAt: at(2 * DAY) });

    const outcome = await gateWithFreshBackup(options, context);

    expect(outcome.failure).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(await listBackupNames(store)).toEqual(['app']);
    const fresh = outcome.outputs['backup-taken'];
    expect(typeof fresh).toBe('string');
    expect(fresh).not.toBe(old);
    expect(outcome.outputs['backup-id']).toBe(fresh);
    const catalog = await readCatalog(store, 'app');
    expect(catalog.backups.find((b) => b.id === fresh)).toMatchObject({ state: 'complete', manifest: { name: 'app' } });
  }, 120_000);
});
