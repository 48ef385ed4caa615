import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createPostgresSource,
  listTables,
  MemoryReporter,
  readArchiveHeader,
  resolveConnection,
  restoreGlobals,
  restorePostgres,
  type PostgresStats,
  type TableFilters,
} from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { archiveEntries, countMap, createSample, dumpToFile, machineClientBinDir, SAMPLE_ROWS } from './sample.js';

let server: PgServer;
let work: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  server = await startPostgres();
  await createSample(server, 'shop');
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-test-'));
});
afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const connection = (database: string) => resolveConnection(server.url(database), {});

describe('PostgreSQL source → file → pg_restore', () => {
  it('round-trips a database and records the snapshot\'s row count of every table', async () => {
    const reporter = new MemoryReporter();
    const source = await createPostgresSource({ connection: connection('shop'), binDir, reporter });
    expect(source).toMatchObject({ kind: 'postgres', defaultName: 'shop', payloadFile: 'db.pgdump.zst', format: 'custom' });
    expect(source.expectedSize).toBeGreaterThan(1_000_000);
    // `auto` for the custom format: pg_dump writes no compression and zstd runs beside it.
    expect(source.compression).toEqual({ method: 'stream-zstd', level: 1 });

    const file = join(work, 'shop.pgdump');
    const result = await dumpToFile(source, file);
    expect(result.manifest).toEqual({
      kind: 'postgres',
      database: 'shop',
      serverVersion: source.server.version,
      serverMajor: server.major,
      clientVersion: source.client.version,
      clientMajor: source.client.major,
      dumpFormat: 'custom',
      compression: 'stream-zstd:1',
      streamCompression: 'zstd',
      counts: 'exact',
    });
    const stats = result.stats as PostgresStats;
    expect(stats.database).toBe('shop');
    expect(stats.counts).toBe('exact');
    expect(countMap(stats.tables)).toEqual(SAMPLE_ROWS);
    expect(stats.tablesWithoutData).toEqual([]);
    // Nothing content-derived in the manifest section.
    expect(JSON.stringify(result.manifest)).not.toMatch(/orders|customers/);

    const header = await readArchiveHeader(file);
    expect(header).toMatchObject({ format: 'custom', database: 'shop', serverMajor: server.major, dumpMajor: source.client.major });
    // Inside the zstd frame, the archive itself is uncompressed.
    expect(header.compression).toBe('none');

    await server.createDatabase('shop_restored');
    const restored = await restorePostgres({
      file,
      target: server.url('shop_restored'),
      origin: result.manifest,
      binDir,
      jobs: 2,
      noOwner: true,
      noPrivileges: true,
      reporter,
    });
    expect(restored.ignoredErrors).toBe(0);
    expect(restored.errors).toEqual([]);
    expect(restored.knownIssues).toEqual([]);
    expect(restored.target.major).toBe(server.major);

    const tables = await listTables(server.url('shop_restored'));
    expect(tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(Object.keys(SAMPLE_ROWS).sort());
    expect(countMap(await countRows(server.url('shop_restored'), stats.tables))).toEqual(countMap(stats.tables));
    // Binary data survives byte for byte.
    const digest = 'SELECT md5(string_agg(body, \'\' ORDER BY id)) AS d FROM app.blobs';
    expect(await server.query(digest, [], 'shop_restored')).toEqual(await server.query(digest, [], 'shop'));
    // With no-owner, the restoring user owns what app_owner owned.
    const [owner] = await server.query<{ o: string }>("SELECT tableowner AS o FROM pg_tables WHERE schemaname = 'app' AND tablename = 'orders'", [], 'shop_restored');
    expect(owner!.o).toBe(server.user);

    expect(reporter.text()).not.toContain(server.password);
    expect(reporter.text()).not.toContain(encodeURIComponent(server.password));
    expect(JSON.stringify({ result, restored })).not.toContain(server.password);
  });

  it('restores original owners when asked', async () => {
    const file = join(work, 'owners.pgdump');
    const source = await createPostgresSource({ connection: connection('shop'), binDir, counts: 'off' });
    const result = await dumpToFile(source, file);
    expect((result.stats as PostgresStats).tables).toEqual([]);
    await server.createDatabase('shop_owners');
    const restored = await restorePostgres({ file, target: connection('shop_owners'), origin: result.manifest, binDir });
    expect(restored.ignoredErrors).toBe(0);
    const [owner] = await server.query<{ o: string }>("SELECT tableowner AS o FROM pg_tables WHERE schemaname = 'app' AND tablename = 'orders'", [], 'shop_owners');
    expect(owner!.o).toBe('app_owner');
  });

  it('stops pg_restore and psql when the run is cancelled, instead of restoring first', async () => {
    const file = join(work, 'cancel.pgdump');
    const source = await createPostgresSource({ connection: connection('shop'), binDir, counts: 'off' });
    await dumpToFile(source, file);
    await server.createDatabase('shop_cancelled');
    const cancelled = AbortSignal.abort();
    await expect(restorePostgres({ file, target: connection('shop_cancelled'), binDir, noOwner: true, signal: cancelled })).rejects.toMatchObject({ name: 'AbortError' });
    const restored = await listTables(connection('shop_cancelled'), {});
    expect(restored.length).toBeLessThan(Object.keys(SAMPLE_ROWS).length);

    const script = join(work, 'globals.sql');
    writeFileSync(script, 'CREATE ROLE lifeboat_cancelled_role;\n');
    await expect(restoreGlobals(script, connection('shop_cancelled'), { binDir, signal: cancelled })).rejects.toMatchObject({ name: 'AbortError' });
    const roles = await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'lifeboat_cancelled_role'");
    expect(roles).toHaveLength(0);
  });

  it('reports the errors pg_restore ignored, with their messages', async () => {
    const file = join(work, 'again.pgdump');
    const source = await createPostgresSource({ connection: connection('shop'), binDir, counts: 'off' });
    await dumpToFile(source, file);
    await server.createDatabase('shop_twice');
    await restorePostgres({ file, target: connection('shop_twice'), binDir, noOwner: true });
    // Restoring into a database that already holds the objects: every CREATE fails.
    const again = await restorePostgres({ file, target: connection('shop_twice'), binDir, noOwner: true });
    expect(again.ignoredErrors).toBeGreaterThan(5);
    expect(again.reportedErrorCount).toBe(again.ignoredErrors);
    expect(again.errors.some((e) => /already exists/.test(e))).toBe(true);
    await expect(restorePostgres({ file, target: connection('shop_twice'), binDir, noOwner: true, maxErrors: 0 })).rejects.toMatchObject({
      code: 'restore-failed',
      errors: expect.arrayContaining([expect.stringMatching(/already exists/)]),
    });
  });

  it('counts planner estimates when asked, unknown before the first ANALYZE', async () => {
    const before = await dumpToFile(await createPostgresSource({ connection: connection('shop'), binDir, counts: 'estimate' }), join(work, 'e1.pgdump'));
    const stats = before.stats as PostgresStats;
    expect(stats.counts).toBe('estimate');
    expect(stats.tables.map((t) => t.rows)).toEqual(stats.tables.map(() => null));
    await server.query('ANALYZE', [], 'shop');
    const after = await dumpToFile(await createPostgresSource({ connection: connection('shop'), binDir, counts: 'estimate' }), join(work, 'e2.pgdump'));
    expect(countMap((after.stats as PostgresStats).tables)).toEqual(SAMPLE_ROWS);
  });

  it.each<[string, TableFilters, string[]]>([
    ['schemas', { schemas: ['app'] }, []],
    ['exclude-schemas', { excludeSchemas: ['audit', '"Mixed Case"'] }, []],
    ['tables with a quoted pattern', { tables: ['app.orders', '"Mixed Case".*'] }, []],
    ['a table on the search path', { tables: ['settings'] }, []],
    ['exclude-tables and exclude-table-data', { excludeTables: ['app.cache', 'app.events_*'], excludeTableData: ['audit.log'] }, ['audit log']],
    ['wildcards', { schemas: ['a*'], excludeTableData: ['app.c?ild'] }, ['app child']],
  ])('counts exactly the tables pg_dump dumps with %s', async (_label, filters, withoutData) => {
    const file = join(work, `filter-${_label.replace(/\W+/g, '-')}.pgdump`);
    const result = await dumpToFile(await createPostgresSource({ connection: connection('shop'), binDir, filters }), file);
    const stats = result.stats as PostgresStats;
    const counted = stats.tables.map((t) => `${t.schema} ${t.name}`).sort();
    expect(counted.length).toBeGreaterThan(0);
    expect(counted).toEqual(archiveEntries(binDir, file, 'TABLE DATA'));
    expect(stats.tablesWithoutData.map((t) => `${t.schema} ${t.name}`).sort()).toEqual(withoutData);
    for (const t of stats.tables) expect(t.rows).toBe(SAMPLE_ROWS[`${t.schema}.${t.name}`]);
  });

  it('leaves unlogged tables\' rows uncounted with --no-unlogged-table-data', async () => {
    const file = join(work, 'unlogged.pgdump');
    const result = await dumpToFile(
      await createPostgresSource({ connection: connection('shop'), binDir, extraArgs: ['--no-unlogged-table-data', '--no-comments'] }),
      file,
    );
    const stats = result.stats as PostgresStats;
    expect(stats.tablesWithoutData).toEqual([{ schema: 'app', name: 'cache' }]);
    expect(stats.tables.map((t) => `${t.schema} ${t.name}`).sort()).toEqual(archiveEntries(binDir, file, 'TABLE DATA'));
  });
});
