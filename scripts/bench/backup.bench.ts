/**
 * Backup benchmark: Lifeboat against the shell pipeline operators write by hand, on a
 * database this benchmark generates (about LIFEBOAT_BENCH_SIZE_MB MiB, default 1024), for
 * compressible rows and for incompressible random bytea. For each it prints, from one run:
 *
 * - plain `pg_dump -Fc --no-sync -f /dev/null` (the floor: no encryption, nothing stored),
 * - `pg_dump -Fc -Z0 --no-sync -f /dev/null` (the floor of the targets: nothing compressed),
 * - `pg_dump -Fc | gpg --encrypt -r <key> > file` as an operator writes it (gpg compresses
 *   again by default), the same at `-Z1` and with `gpg -z 0`, and `pg_dump -Z0 | zstd -T0 -1
 *   | gpg -z 0` (zstd on every core outside pg_dump),
 * - with LIFEBOAT_BENCH_COMPRESSIONS (e.g. `stream-zstd:1,gzip:1`), a local Lifeboat backup
 *   at each of those `compression` values too,
 * - a local Lifeboat backup with `format: directory` and `jobs` = LIFEBOAT_BENCH_DIRECTORY_JOBS
 *   (default the cores available; 0 leaves it out), against the custom-format one,
 * - Lifeboat's backup to a local folder and to S3 (s3rver on loopback), each in a Node
 *   process of its own, with that process's peak RSS, and the compression `auto` chose,
 * - Lifeboat's peak RSS on a second, smaller database (LIFEBOAT_BENCH_SMALL_SIZE_MB,
 *   default 256), to show memory does not grow with the database,
 *
 * and the ratios against the targets (informational; nothing here fails on a figure).
 * Run with `npm run bench -- backup`; see test/bench-support/settings.ts for the variables.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createBenchDatabase, type DataVariant } from '../../test/bench-support/bench-data.js';
import { timeShell } from '../../test/bench-support/commands.js';
import { compileCore, type CompiledCore } from '../../test/bench-support/compile-core.js';
import { runOperation, type OperationRun } from '../../test/bench-support/operation.js';
import { mib, printTable, rate, ratio, seconds, target } from '../../test/bench-support/report.js';
import { benchSettings, median } from '../../test/bench-support/settings.js';
import { startAll, stopService } from '../../test/bench-support/start-all.js';
import { machineClientBinDir } from '../../test/postgres/sample.js';
import { createGpgHome, type GpgHome } from '../../test/services/gpg.js';
import { startPostgres, type PgServer } from '../../test/services/postgres.js';
import { startS3, type S3Service } from '../../test/services/s3.js';

const settings = benchSettings();
const RSS_LIMIT_MIB = 200;
const binDir = machineClientBinDir();

let pg: PgServer | undefined;
let gpg: GpgHome | undefined;
let s3: S3Service | undefined;
let core: CompiledCore | undefined;
let work: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-backup-'));
  [pg, gpg, s3, core] = await startAll<[PgServer, GpgHome, S3Service | undefined, CompiledCore]>(
    [() => startPostgres(), () => createGpgHome({ name: 'Lifeboat Bench' }), async () => (settings.s3 ? startS3() : undefined), () => compileCore()],
    stopService,
  );
});

afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), s3?.stop(), core?.cleanup()]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** One row of the table: the median time of `settings.runs` runs, and the last run's details. */
interface Measured {
  readonly seconds: number;
  /** Lifeboat runs: process start-up and library loading, within `seconds`. */
  readonly startup?: number;
  readonly bytes?: number;
  readonly run?: OperationRun;
}

async function repeat(measure: () => Promise<Measured>): Promise<Measured> {
  const results: Measured[] = [];
  for (let i = 0; i < settings.runs; i++) results.push(await measure());
  const startups = results.map((r) => r.startup).filter((v): v is number => v !== undefined);
  return {
    ...results.at(-1)!,
    seconds: median(results.map((r) => r.seconds)),
    startup: startups.length > 0 ? median(startups) : undefined,
  };
}

/** Times a shell command that writes `out`, then records its size and removes it. */
async function shell(script: string, env: Record<string, string>, out?: string): Promise<Measured> {
  const { seconds: secs } = await timeShell(script, env);
  if (!out) return { seconds: secs };
  const bytes = (await stat(out)).size;
  await rm(out, { force: true });
  return { seconds: secs, bytes };
}

/** A Lifeboat backup in its own process; the stored backup is removed afterwards. */
async function lifeboat(database: string, store: 'local' | 's3', options: Readonly<Record<string, string>> = {}): Promise<Measured> {
  const common = { 'database-url': pg!.url(database), recipients: gpg!.publicKeyArmored, ...options };
  if (store === 'local') {
    const folder = await mkdtemp(join(work!, 'store-'));
    try {
      const run = await runOperation(core!, 'backup', { ...common, store: folder });
      return { seconds: run.wallSeconds, startup: run.wallSeconds - run.seconds, bytes: Number(run.outputs.size), run };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  const bucket = await s3!.createBucket();
  const run = await runOperation(
    core!,
    'backup',
    { ...common, store: `s3://${bucket}/bench`, 's3-endpoint': s3!.endpoint, 's3-region': s3!.region, 's3-force-path-style': 'true' },
    { ...s3!.env },
  );
  // s3rver keeps objects on disk: drop them so disk use stays bounded.
  await rm(join(s3!.dataDir, bucket), { recursive: true, force: true });
  return { seconds: run.wallSeconds, startup: run.wallSeconds - run.seconds, bytes: Number(run.outputs.size), run };
}

function compressionOf(run: OperationRun | undefined): string {
  const data = run?.data as { manifest?: { source?: { compression?: string; clientVersion?: string } } }[] | undefined;
  return data?.[0]?.manifest?.source?.compression ?? '?';
}

function clientOf(run: OperationRun | undefined): string {
  const data = run?.data as { manifest?: { source?: { clientVersion?: string } } }[] | undefined;
  return data?.[0]?.manifest?.source?.clientVersion ?? '?';
}

async function benchmark(variant: DataVariant): Promise<void> {
  const server = pg!;
  const name = `bench_${variant}`;
  const db = await createBenchDatabase(server, name, variant, settings.sizeMiB);
  console.log(
    `\n[backup/${variant}] generated ${name}: ${mib(db.bytes)} (pg_database_size), ${db.rows.toLocaleString('en-US')} rows in ${db.tables} tables, ${seconds(db.seconds)} (${db.generator})`,
  );
  const out = join(work!, 'dump.pgp');
  const env = {
    PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: server.user,
    PGPASSWORD: server.password,
    PGDATABASE: name,
    GNUPGHOME: gpg!.home,
    KEY: gpg!.fingerprint,
    OUT: out,
  };

  const plain = await repeat(() => shell('pg_dump -Fc --no-sync -f /dev/null', env));
  const floor = await repeat(() => shell('pg_dump -Fc -Z0 --no-sync -f /dev/null', env));
  const pipeline = await repeat(() => shell('pg_dump -Fc | gpg --batch --encrypt -r "$KEY" > "$OUT"', env, out));
  const pipelineZ1 = await repeat(() => shell('pg_dump -Fc -Z1 | gpg --batch --encrypt -r "$KEY" > "$OUT"', env, out));
  const pipelineZ0 = await repeat(() => shell('pg_dump -Fc | gpg --batch -z 0 --encrypt -r "$KEY" > "$OUT"', env, out));
  const shellZstd = await repeat(() => shell('pg_dump -Fc -Z0 | zstd -q -T0 -1 | gpg --batch -z 0 --encrypt -r "$KEY" > "$OUT"', env, out));
  const local = await repeat(() => lifeboat(name, 'local'));
  const extra: [string, Measured][] = [];
  for (const compression of (process.env.LIFEBOAT_BENCH_COMPRESSIONS ?? '').split(',').map((c) => c.trim()).filter(Boolean)) {
    extra.push([compression, await repeat(() => lifeboat(name, 'local', { compression }))]);
  }
  const directory = settings.directoryJobs > 0 ? await repeat(() => lifeboat(name, 'local', { format: 'directory', jobs: String(settings.directoryJobs) })) : undefined;
  const remote = settings.s3 ? await repeat(() => lifeboat(name, 's3')) : undefined;
  await server.query(`DROP DATABASE ${name}`);

  let small: Measured | undefined;
  let smallRemote: Measured | undefined;
  let smallBytes = 0;
  if (settings.smallSizeMiB > 0) {
    const smallDb = await createBenchDatabase(server, `${name}_small`, variant, settings.smallSizeMiB);
    smallBytes = smallDb.bytes;
    small = await lifeboat(smallDb.name, 'local');
    if (settings.s3) smallRemote = await lifeboat(smallDb.name, 's3');
    await server.query(`DROP DATABASE ${smallDb.name}`);
  }

  const row = (what: string, m: Measured, notes = '') => ({
    measurement: what,
    time: seconds(m.seconds),
    'of which start-up': m.startup === undefined ? '-' : seconds(m.startup),
    'rate (database size)': rate(db.bytes, m.seconds),
    'vs pipeline': ratio(m.seconds / pipeline.seconds),
    'output size': m.bytes === undefined ? '-' : mib(m.bytes),
    'peak RSS': m.run ? mib(m.run.peakRssMiB * 2 ** 20) : '-',
    notes,
  });
  const rows = [
    row('pg_dump -Fc --no-sync -f /dev/null', plain, 'pg_dump alone, default compression'),
    row('pg_dump -Fc -Z0 --no-sync -f /dev/null', floor, 'floor: no compression, no encryption, nothing stored'),
    row('pg_dump -Fc | gpg --encrypt -r KEY > file', pipeline, 'as operators write it (gpg compresses too)'),
    row('pg_dump -Fc -Z1 | gpg --encrypt -r KEY > file', pipelineZ1, 'the same at pg_dump -Z1'),
    row('pg_dump -Fc | gpg -z 0 --encrypt -r KEY > file', pipelineZ0, 'gpg compression off'),
    row('pg_dump -Fc -Z0 | zstd -T0 -1 | gpg -z 0 --encrypt -r KEY > file', shellZstd, 'zstd on every core outside pg_dump'),
    row('Lifeboat backup -> local folder', local, `compression auto = ${compressionOf(local.run)}; file fsynced`),
    ...extra.map(([c, m]) => row(`Lifeboat backup -> local folder, compression ${c}`, m, `recorded as ${compressionOf(m.run)}`)),
  ];
  if (directory) rows.push(row(`Lifeboat backup format directory, jobs ${settings.directoryJobs} -> local folder`, directory, `pg_dump -Fd -j ${settings.directoryJobs} into a temp folder, then a tar of it; compression auto = ${compressionOf(directory.run)}`));
  if (remote) rows.push(row('Lifeboat backup -> S3 (s3rver)', remote, 's3rver hashes and writes every part: a lower bound'));
  const smallRow = (what: string, m: Measured) => ({
    ...row(`${what}, ${mib(smallBytes)} database`, m, 'the same at a smaller size: memory should not change'),
    'rate (database size)': rate(smallBytes, m.seconds),
    'vs pipeline': '-',
  });
  if (small) rows.push(smallRow('Lifeboat backup -> local folder', small));
  if (smallRemote) rows.push(smallRow('Lifeboat backup -> S3 (s3rver)', smallRemote));

  const localRatio = local.seconds / pipeline.seconds;
  const localRatioWarm = (local.seconds - local.startup!) / pipeline.seconds;
  const rssAt = (store: string, pairs: [Measured | undefined, number][]) => {
    const figures = pairs.filter(([m]) => m?.run).map(([m, bytes]) => `${mib(m!.run!.peakRssMiB * 2 ** 20)} at ${mib(bytes)}`);
    return figures.length > 0 ? `${store} ${figures.join(' and ')}` : '';
  };
  const rssFigures = [
    rssAt('local', [[small, smallBytes], [local, db.bytes]]),
    rssAt('S3', [[smallRemote, smallBytes], [remote, db.bytes]]),
  ]
    .filter(Boolean)
    .join('; ');
  const peaks = [local, remote, small, smallRemote].filter((m): m is Measured => m?.run !== undefined).map((m) => m.run!.peakRssMiB);
  const notes = [
    target('Lifeboat (local) / shell pipeline', ratio(localRatio), '≤ 0.25×', localRatio <= 0.25),
    target('Lifeboat (local) / shell pipeline at -Z1', ratio(local.seconds / pipelineZ1.seconds), '≤ 0.50×', local.seconds / pipelineZ1.seconds <= 0.5),
    target('Lifeboat (local) / floor (pg_dump -Fc -Z0 -f /dev/null)', ratio(local.seconds / floor.seconds), '≤ 2.00×', local.seconds / floor.seconds <= 2),
    ...extra.map(
      ([c, m]) =>
        `compression ${c}: ${ratio(m.seconds / pipeline.seconds)} of the pipeline (≤ 0.25×), ${ratio(m.seconds / pipelineZ1.seconds)} of the -Z1 pipeline (≤ 0.50×), ${ratio(m.seconds / floor.seconds)} of the floor (≤ 2.00×), peak RSS ${mib(m.run!.peakRssMiB * 2 ** 20)}, ${mib(m.bytes ?? 0)} stored`,
    ),
    ...(directory ? [`format directory (jobs ${settings.directoryJobs}) / custom: ${ratio(directory.seconds / local.seconds)}; of the floor: ${ratio(directory.seconds / floor.seconds)}, peak RSS ${mib(directory.run!.peakRssMiB * 2 ** 20)}`] : []),
    `Without Lifeboat's start-up (loading Node and the library, ${seconds(local.startup!)}): ${ratio(localRatioWarm)}`,
    target('Lifeboat peak RSS', rssFigures, `< ${RSS_LIMIT_MIB} MiB at any size`, Math.max(...peaks) < RSS_LIMIT_MIB),
    `Lifeboat RSS once loaded, before the run: ${local.run!.rssBeforeMiB.toFixed(0)} MiB; at each tenth of the ${mib(db.bytes)} local run: ${local.run!.rssByTenthMiB.map((v) => v.toFixed(0)).join(', ')} MiB`,
    `pg_dump ${clientOf(local.run)} from ${binDir}; ${settings.runs > 1 ? `median of ${settings.runs} runs` : 'one run each'}; Lifeboat times are process wall time (start-up included), recipients = the gpg key ${gpg!.fingerprint.slice(-16)}, counts exact.`,
  ];
  printTable(`Backup, ${variant} data, ${mib(db.bytes)} database`, rows, notes);
}

describe('backup benchmark', () => {
  for (const variant of settings.variants) {
    it(`${variant} data`, () => benchmark(variant));
  }
});
