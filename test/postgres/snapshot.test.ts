import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createPostgresSource, listTables, resolveConnection, restorePostgres, type PostgresStats } from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { countMap, machineClientBinDir } from './sample.js';

let server: PgServer;
let work: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  server = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-snap-'));
  await server.createDatabase('snap');
  await server.query(
    `CREATE TABLE big (id int PRIMARY KEY, payload text);
     INSERT INTO big SELECT g, md5(g::text) || repeat('y', 200) FROM generate_series(1, 20000) g;
     CREATE TABLE small (id int PRIMARY KEY);
     INSERT INTO small SELECT generate_series(1, 100);`,
    [],
    'snap',
  );
});
afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const lifeboatSessions = async () =>
  server.query<{ state: string; xmin: string | null }>(
    "SELECT state, backend_xmin::text AS xmin FROM pg_stat_activity WHERE application_name = 'lifeboat' AND datname = 'snap'",
  );

describe('row counts and the dump share one snapshot', () => {
  it('neither counts nor dumps rows another connection commits while the snapshot is open', async () => {
    const source = await createPostgresSource({ connection: resolveConnection(server.url('snap'), {}), binDir, compression: { method: 'none' } });
    const run = await source.start(new AbortController().signal);

    // The snapshot exists once start() returns; change the data from another connection.
    await server.query(
      `INSERT INTO small SELECT generate_series(101, 150);
       DELETE FROM big WHERE id <= 1000;
       CREATE TABLE late (x int);
       INSERT INTO late VALUES (1);`,
      [],
      'snap',
    );
    // The exporting transaction is still open, holding the snapshot's horizon.
    const open = await lifeboatSessions();
    expect(open.some((s) => s.state === 'idle in transaction' || s.state === 'active')).toBe(true);

    const file = join(work, 'snap.pgdump');
    await pipeline(run.stream, createWriteStream(file));
    const result = await run.result;
    const stats = result.stats as PostgresStats;
    expect(countMap(stats.tables)).toEqual({ 'public.big': 20000, 'public.small': 100 });
    expect(await lifeboatSessions()).toEqual([]);

    await server.createDatabase('snap_restored');
    const restored = await restorePostgres({ file, target: server.url('snap_restored'), origin: result.manifest, binDir, noOwner: true });
    expect(restored.ignoredErrors).toBe(0);
    expect((await listTables(server.url('snap_restored'))).map((t) => t.name).sort()).toEqual(['big', 'small']);
    expect(countMap(await countRows(server.url('snap_restored'), stats.tables))).toEqual(countMap(stats.tables));
    // The source has moved on since.
    expect(countMap(await countRows(server.url('snap'), stats.tables))).toEqual({ 'public.big': 19000, 'public.small': 150 });
  });

  it('reports a table missing from a restored database as null rather than failing', async () => {
    const counts = await countRows(server.url('snap'), [
      { schema: 'public', name: 'small' },
      { schema: 'public', name: 'never_existed' },
    ]);
    expect(counts).toEqual([
      { schema: 'public', name: 'small', rows: 150 },
      { schema: 'public', name: 'never_existed', rows: null },
    ]);
  });
});
