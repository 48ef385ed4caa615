/**
 * Redis backup benchmark: Lifeboat's `redis-mode: rdb` against the pipeline operators write
 * by hand, `redis-cli --rdb - | gpg --encrypt -r <key> > file`, in one run, on a keyspace this
 * benchmark generates (about LIFEBOAT_BENCH_SIZE_MB MiB of values written, default 1024; the
 * RDB is smaller, as LZF compresses the text): strings of random bytes (which neither LZF nor
 * gpg can shrink), text strings and hashes (which they can). It prints both times, the ratio, Lifeboat's peak RSS (its own process), and the
 * keys-mode time for comparison. Nothing here fails on a figure.
 * Run with `npm run bench -- redis`; see test/bench-support/settings.ts for the variables.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { timeShell } from '../../test/bench-support/commands.js';
import { compileCore, type CompiledCore } from '../../test/bench-support/compile-core.js';
import { runRedisBackup, type RedisBackupRun } from '../../test/bench-support/redis-backup.js';
import { mib, printTable, rate, ratio, seconds, target } from '../../test/bench-support/report.js';
import { benchSettings } from '../../test/bench-support/settings.js';
import { startAll, stopService } from '../../test/bench-support/start-all.js';
import { createGpgHome, type GpgHome } from '../../test/services/gpg.js';
import { startRedis, type RedisServer } from '../../test/services/redis.js';

const settings = benchSettings();
const RSS_LIMIT_MIB = 200;

let redis: RedisServer | undefined;
let gpg: GpgHome | undefined;
let core: CompiledCore | undefined;
let work: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-redis-'));
  [redis, gpg, core] = await startAll<[RedisServer, GpgHome, CompiledCore]>(
    // Redis's default 5 s diskless delay would be measured in both runs alike; left out.
    [() => startRedis({ config: { 'repl-diskless-sync-delay': '0' } }), () => createGpgHome({ name: 'Lifeboat Bench' }), () => compileCore()],
    stopService,
  );
});

afterAll(async () => {
  await Promise.allSettled([redis?.stop(), gpg?.cleanup(), core?.cleanup()]);
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * Writes about `mib` MiB: a third random 4 KiB strings, a third 4 KiB text strings, a third
 * hashes of 40 text fields; some keys with a TTL. Through `redis-cli --pipe` (raw protocol).
 */
async function generate(server: RedisServer, targetMiB: number): Promise<{ keys: number; seconds: number }> {
  const started = performance.now();
  const cli = spawn('redis-cli', ['-p', String(server.port), '--pipe'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => cli.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --pipe exited ${code}`)))));
  const command = (...args: (string | Buffer)[]) => {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const arg of args) {
      const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
    }
    return Buffer.concat(parts);
  };
  const text = 'the quick brown fox jumps over the lazy dog; '.repeat(100).slice(0, 4096);
  let bytes = 0;
  let keys = 0;
  const goal = targetMiB * 2 ** 20;
  while (bytes < goal) {
    const batch: Buffer[] = [];
    for (let i = 0; i < 1000; i++, keys++) {
      const kind = keys % 3;
      if (kind === 0) batch.push(command('SET', `bin:${keys}`, randomBytes(4096)));
      else if (kind === 1) batch.push(command('SET', `text:${keys}`, `${keys} ${text}`));
      else batch.push(command('HSET', `hash:${keys}`, ...Array.from({ length: 40 }, (_, f) => [`field${f}`, `${text.slice(0, 100)} ${f}`]).flat()));
      if (keys % 10 === 0) batch.push(command('EXPIRE', `${['bin', 'text', 'hash'][kind]}:${keys}`, '86400'));
      bytes += kind === 2 ? 40 * 110 : 4096;
    }
    if (!cli.stdin.write(Buffer.concat(batch))) await new Promise((r) => cli.stdin.once('drain', r));
  }
  cli.stdin.end();
  await done;
  return { keys, seconds: (performance.now() - started) / 1000 };
}

describe('Redis backup benchmark', () => {
  it('rdb mode against redis-cli --rdb - | gpg --encrypt', async () => {
    const server = redis!;
    const generated = await generate(server, settings.sizeMiB);
    await server.cli(['SAVE']);
    const rdbBytes = (await stat(join(server.dir, 'dump.rdb'))).size;
    console.log(`\n[redis] generated ${generated.keys.toLocaleString('en-US')} keys, RDB of ${mib(rdbBytes)}, in ${seconds(generated.seconds)}`);

    const out = join(work!, 'dump.rdb.gpg');
    const env = { GNUPGHOME: gpg!.home, KEY: gpg!.fingerprint, OUT: out, PORT: String(server.port) };
    const shell = await timeShell('redis-cli -p "$PORT" --rdb - 2>/dev/null | gpg --batch --encrypt -r "$KEY" > "$OUT"', env);
    const shellBytes = (await stat(out)).size;
    await rm(out, { force: true });

    const lifeboat = async (mode: 'rdb' | 'keys'): Promise<RedisBackupRun> => {
      const store = await mkdtemp(join(work!, 'store-'));
      try {
        return await runRedisBackup(core!, { url: server.url(), mode, store, recipients: gpg!.publicKeyArmored });
      } finally {
        await rm(store, { recursive: true, force: true });
      }
    };
    const rdb = await lifeboat('rdb');
    const keys = await lifeboat('keys');

    const row = (what: string, secs: number, output: number, run?: RedisBackupRun, notes = '') => ({
      measurement: what,
      time: seconds(secs),
      'rate (RDB size)': rate(rdbBytes, secs),
      'vs pipeline': ratio(secs / shell.seconds),
      'output size': mib(output),
      'peak RSS': run ? mib(run.peakRssMiB * 2 ** 20) : '-',
      notes,
    });
    const ratioRdb = rdb.wallSeconds / shell.seconds;
    printTable(`Redis backup, ${mib(rdbBytes)} RDB, ${generated.keys.toLocaleString('en-US')} keys`, [
      row('redis-cli --rdb - | gpg --encrypt -r KEY > file', shell.seconds, shellBytes, undefined, 'as operators write it (gpg compresses)'),
      row('Lifeboat redis-mode rdb -> local folder', rdb.wallSeconds, rdb.size, rdb, 'counts keys and TTLs, verifies the CRC-64, no compression'),
      row('Lifeboat redis-mode keys -> local folder', keys.wallSeconds, keys.size, keys, 'SCAN + DUMP + PEXPIRETIME, not point-in-time'),
    ], [
      target('Lifeboat rdb / shell pipeline', ratio(ratioRdb), '≤ 1.00×', ratioRdb <= 1),
      target('Lifeboat peak RSS', `${mib(rdb.peakRssMiB * 2 ** 20)} (rdb), ${mib(keys.peakRssMiB * 2 ** 20)} (keys)`, `< ${RSS_LIMIT_MIB} MiB`, Math.max(rdb.peakRssMiB, keys.peakRssMiB) < RSS_LIMIT_MIB),
      `Lifeboat times are process wall time, start-up included (rdb: ${seconds(rdb.wallSeconds - rdb.seconds)} of it); RSS once loaded ${rdb.rssBeforeMiB.toFixed(0)} MiB. One run each, on whatever else this machine is doing.`,
    ]);
  });
});
