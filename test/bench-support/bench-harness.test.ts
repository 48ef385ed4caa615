/**
 * The benchmark harness itself, on small sizes: generated databases are what they claim to be,
 * an operation runs in a process of its own and reports its memory, failures surface with
 * Lifeboat's own message, and timed shell pipelines fail when any stage fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createBenchDatabase } from './bench-data.js';
import { timeShell } from './commands.js';
import { compileCore, type CompiledCore } from './compile-core.js';
import { runOperation } from './operation.js';
import { startAll, stopService } from './start-all.js';

let pg: PgServer;
let gpg: GpgHome;
let core: CompiledCore;
const work = mkdtempSync(join(tmpdir(), 'lifeboat-bench-harness-'));
let stores = 0;
const freshFolder = () => join(work, `store-${++stores}`);

beforeAll(async () => {
  [pg, gpg, core] = await startAll<[PgServer, GpgHome, CompiledCore]>([() => startPostgres(), () => createGpgHome(), () => compileCore()], stopService);
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), core?.cleanup()]);
  rmSync(work, { recursive: true, force: true });
});

const MiB = 2 ** 20;

describe('generated benchmark databases', () => {
  it('fills compressible rows to about the size asked, over several tables', async () => {
    const db = await createBenchDatabase(pg, 'harness_rows', 'compressible', 16);
    expect(db.bytes).toBeGreaterThanOrEqual(16 * MiB);
    expect(db.bytes).toBeLessThan(20 * MiB);
    const counts = await pg.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM orders_1) + (SELECT count(*) FROM orders_2) + (SELECT count(*) FROM orders_3) + (SELECT count(*) FROM orders_4) AS n`,
      [],
      db.name,
    );
    expect(Number(counts[0]!.n)).toBe(db.rows);
    const sample = await pg.query<{ t: string }>(`SELECT string_agg(o::text, E'\\n') AS t FROM (SELECT * FROM orders_4 LIMIT 2000) o`, [], db.name);
    const text = Buffer.from(sample[0]!.t);
    expect(gzipSync(text).length / text.length).toBeLessThan(0.5);
  });

  it('fills random bytea that does not compress, every value different', async () => {
    const db = await createBenchDatabase(pg, 'harness_blobs', 'incompressible', 12);
    expect(db.bytes).toBeGreaterThanOrEqual(12 * MiB);
    expect(db.bytes).toBeLessThan(16 * MiB);
    const [stats] = await pg.query<{ n: string; distinct: string }>(
      `SELECT count(*) AS n, count(DISTINCT md5(body)) AS distinct FROM (SELECT body FROM blobs_1 UNION ALL SELECT body FROM blobs_4) b`,
      [],
      db.name,
    );
    expect(Number(stats!.n)).toBeGreaterThan(1);
    expect(stats!.distinct).toBe(stats!.n);
    const [one] = await pg.query<{ body: Buffer }>('SELECT body FROM blobs_2 LIMIT 1', [], db.name);
    expect(one!.body.length).toBe(64 * 1024);
    expect(gzipSync(one!.body).length).toBeGreaterThan(one!.body.length);
    // The extension only generated data; it must not end up in the dump.
    expect(await pg.query(`SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'`, [], db.name)).toEqual([]);
  });
});

describe('operations in a process of their own', () => {
  it('runs a backup from the compiled library and reports its time and peak RSS', async () => {
    await pg.createDatabase('harness_small');
    await pg.query('CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g', [], 'harness_small');
    const run = await runOperation(core, 'backup', { 'database-url': pg.url('harness_small'), store: freshFolder(), 'create-store': 'true', recipients: gpg.publicKeyArmored });
    expect(run.ok).toBe(true);
    expect(Number(run.outputs.size)).toBeGreaterThan(0);
    expect(run.outputs.recipients).toBe(gpg.fingerprint);
    expect(run.rssBeforeMiB).toBeGreaterThan(0);
    expect(run.peakRssMiB).toBeGreaterThanOrEqual(run.rssBeforeMiB);
    expect(run.wallSeconds).toBeGreaterThan(run.seconds);
    expect(run.log.some((line) => /manifest\.json written/.test(line))).toBe(true);
  });

  it("rejects with Lifeboat's own message when the operation fails", async () => {
    await expect(runOperation(core, 'backup', { 'database-url': pg.url('postgres'), store: freshFolder() })).rejects.toThrow(
      /Lifeboat backup failed: No encryption key is configured/,
    );
  });
});

describe('starting services together', () => {
  it('stops the ones that started when another fails, and rethrows its error', async () => {
    const stopped: string[] = [];
    const service = (name: string) => async () => ({ name, stop: async () => void stopped.push(name) });
    await expect(
      startAll([service('a'), async () => Promise.reject(new Error('b would not start')), service('c')], stopService),
    ).rejects.toThrow('b would not start');
    expect(stopped.sort()).toEqual(['a', 'c']);
  });

  it('hands back every service in order when all start', async () => {
    const started = await startAll([async () => 1, async () => undefined, async () => 'three'], stopService);
    expect(started).toEqual([1, undefined, 'three']);
  });
});

describe('timed shell commands', () => {
  it('fails a pipeline whose first stage fails, with its stderr', async () => {
    await expect(timeShell('(echo first stage failed >&2; exit 3) | cat', {})).rejects.toThrow(/exit 3\): first stage failed/);
    await expect(timeShell('false | cat > /dev/null', {})).rejects.toThrow(/exit 1/);
  });

  it('times a command that succeeds', async () => {
    const run = await timeShell('sleep 0.2', {});
    expect(run.seconds).toBeGreaterThanOrEqual(0.2);
  });
});
