#!/usr/bin/env node
/**
 * How fast and how small `pg_dump -Fc` is with each compression the client offers, streamed
 * to a pipe as a backup does. Prints one line per setting; decides nothing by itself (the
 * figures chose the `auto` compression in packages/core/src/engines/postgres/compression.ts).
 *
 *   LIFEBOAT_BENCH_DATABASE_URL=postgres://user:pass@host/postgres \
 *   [LIFEBOAT_BENCH_PG_DUMP=/usr/lib/postgresql/16/bin/pg_dump] [LIFEBOAT_BENCH_MIB=256] \
 *   node scripts/bench/pg-dump-compression.mjs
 *
 * The URL's user must be allowed to create a database; the bench database is dropped after.
 * Data: half compressible rows (text, JSON, numbers, timestamps), half random bytea.
 * For clients before 16 (gzip only), the zstd and lz4 command-line tools, when installed,
 * are timed on the uncompressed archive as a stand-in for pg_dump 16's own zstd/lz4.
 */
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';

const url = process.env.LIFEBOAT_BENCH_DATABASE_URL;
if (!url) {
  console.error('Set LIFEBOAT_BENCH_DATABASE_URL to a PostgreSQL URL whose user may create databases.');
  process.exit(2);
}
const pgDump = process.env.LIFEBOAT_BENCH_PG_DUMP || 'pg_dump';
const mib = Number(process.env.LIFEBOAT_BENCH_MIB || 256);
const database = 'lifeboat_bench_compression';

const admin = new URL(url);
const benchUrl = new URL(url);
benchUrl.pathname = `/${database}`;

const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(execFileSync(pgDump, ['--version'], { encoding: 'utf8' }))?.[1]);
const settings =
  major >= 16
    ? ['none', 'gzip:1', 'gzip:3', 'gzip:6', 'lz4:1', 'zstd:1', 'zstd:3', 'zstd:6']
    : ['0', '1', '3', '6'];

async function withClient(target, fn) {
  const client = new pg.Client({ connectionString: target.href });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function fill() {
  await withClient(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database}`);
    await c.query(`CREATE DATABASE ${database}`);
  });
  await withClient(benchUrl, async (c) => {
    await c.query(`CREATE TABLE rows (id bigint primary key, customer text, status text, total numeric, created timestamptz, doc jsonb)`);
    await c.query(`CREATE TABLE blobs (id bigint primary key, body bytea)`);
    // ~200 bytes per row of ordinary application data.
    const rowCount = Math.round((mib / 2) * 1024 * 1024 / 200);
    await c.query(
      `INSERT INTO rows SELECT g, 'customer-' || (g % 5000), (ARRAY['new','paid','shipped','returned'])[1 + g % 4],
         round((random() * 1000)::numeric, 2), now() - (g || ' seconds')::interval,
         jsonb_build_object('sku', 'SKU-' || (g % 997), 'qty', g % 7, 'note', repeat('lorem ipsum ', 1 + g % 5))
       FROM generate_series(1, $1) g`,
      [rowCount],
    );
    const blobCount = Math.round((mib / 2) * 1024 * 1024 / 65536);
    await c.query(`ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL`);
    await c.query(
      `INSERT INTO blobs SELECT g, (SELECT string_agg(decode(md5(random()::text || g || s), 'hex'), ''::bytea) FROM generate_series(1, 4096) s)
       FROM generate_series(1, $1) g`,
      [blobCount],
    );
  });
}

function run(command, args, env) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => (bytes += chunk.length));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      code === 0 ? done({ bytes, seconds }) : fail(new Error(`${command} exited ${code}: ${stderr}`));
    });
  });
}

function line(label, plainBytes, { bytes, seconds }) {
  const rate = plainBytes / 1024 / 1024 / seconds;
  console.log(
    `${label.padEnd(22)} ${seconds.toFixed(2).padStart(7)} s ${(bytes / 1024 / 1024).toFixed(1).padStart(8)} MiB  ${rate.toFixed(0).padStart(5)} MiB/s of plain archive  ratio ${(bytes / plainBytes).toFixed(3)}`,
  );
}

const env = {
  PGHOST: benchUrl.hostname,
  PGPORT: benchUrl.port || '5432',
  PGUSER: decodeURIComponent(benchUrl.username),
  PGPASSWORD: decodeURIComponent(benchUrl.password),
  PGDATABASE: database,
};

try {
  console.log(`filling ${mib} MiB (half text rows, half random bytea) ...`);
  await fill();
  console.log(`pg_dump ${major} (${pgDump}), custom format to a pipe, 2 cores:`);
  const plain = await run(pgDump, ['-Fc', major >= 16 ? '--compress=none' : '-Z0'], env);
  for (const setting of settings) {
    const args = ['-Fc', major >= 16 ? `--compress=${setting}` : `-Z${setting}`];
    line(major >= 16 ? setting : `gzip -Z${setting}`, plain.bytes, await run(pgDump, args, env));
  }
  if (major < 16) {
    const tmp = execFileSync('mktemp', { encoding: 'utf8' }).trim();
    execFileSync('sh', ['-c', `"$0" -Fc -Z0 > "${tmp}"`, pgDump], { env: { ...process.env, ...env } });
    console.log('stand-ins for pg_dump 16+ (command-line compressors over the -Z0 archive):');
    for (const [label, command, args] of [
      ['lz4 -1', 'lz4', ['-1', '-c', tmp]],
      ['zstd -1', 'zstd', ['-1', '-c', tmp]],
      ['zstd -3', 'zstd', ['-3', '-c', tmp]],
    ]) {
      try {
        line(label, plain.bytes, await run(command, args, {}));
      } catch {
        console.log(`${label.padEnd(22)} (not installed)`);
      }
    }
    execFileSync('rm', ['-f', tmp]);
  }
} finally {
  await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${database}`));
}
