/**
 * A drill killed with SIGKILL mid-restore (the real CLI, in its own process) leaves no
 * decrypted data behind: its watchdog removes the work folder, and if the watchdog was killed
 * too, the next run sweeps it when it starts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '@lifeboat/core';
import { generateKeyPair } from '@lifeboat/core';
import { backupOptions, freshFolder, testContext } from '../backup/support.js';
import { startCli, runCli } from '../support/cli.js';
import { processesMentioning } from '../ephemeral/support/processes.js';
import { startPostgres, type PgServer } from '../services/postgres.js';

const PASSPHRASE = 'killed drill passphrase, long enough';
let pg: PgServer;
let store: string;
let temp: string;
let signingPublicKey: string;

beforeAll(async () => {
  const signing = await generateKeyPair({ name: 'Killed drill signing', purpose: 'sign' });
  signingPublicKey = signing.publicKey;
  pg = await startPostgres();
  await pg.createDatabase('big');
  // Enough rows that the restore takes a while to interrupt.
  await pg.query(
    "CREATE TABLE rows AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b FROM generate_series(1, 400000) g; CREATE INDEX ON rows (a); CREATE INDEX ON rows (b);",
    [],
    'big',
  );
  store = freshFolder();
  const outcome = await backup(backupOptions({ 'database-url': pg.url('big'), store, passphrase: PASSPHRASE, 'signing-key': signing.privateKey }), testContext());
  expect(outcome.failure).toBeUndefined();
  temp = mkdtempSync(join(tmpdir(), 'lifeboat-killed-drill-'));
});

afterAll(async () => {
  await pg?.stop();
  rmSync(store, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
});

/** The environment of a drill whose temp folder is `dir`. */
function drillEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: dir, LIFEBOAT_PASSPHRASE: PASSPHRASE, LIFEBOAT_SIGNING_PUBLIC_KEY: signingPublicKey, LIFEBOAT_TARGET_DATABASE_URL: pg.url('postgres') };
}

const drillArgs = () => ['drill', '--store', store, '--name', 'big', '--record-drill', 'false', '--evidence-dir', join(temp, 'evidence')];

/** Pids of the processes whose parent is `pid` and whose program is `name`. */
function childrenNamed(pid: number, name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (match && match[1] === name && Number(match[2]) === pid) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Starts a drill and SIGKILLs it (and its watchdog, if asked) once pg_restore runs; returns its work folder. */
async function killMidRestore(dir: string, killWatchdog = false): Promise<string> {
  const cli = startCli(drillArgs(), drillEnv(dir));
  const pid = cli.pid!;
  const exited = new Promise((resolve) => cli.once('close', resolve));
  const deadline = Date.now() + 60_000;
  while (childrenNamed(pid, 'pg_restore').length === 0) {
    if (Date.now() > deadline || cli.exitCode !== null) throw new Error(`the drill never reached pg_restore:\n${cli.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const work = readdirSync(dir).filter((entry) => entry.startsWith(`lifeboat-drill-p${pid}-`));
  expect(work).toHaveLength(1);
  const workDir = join(dir, work[0]!);
  // The payload is a zstd frame (compression auto): its decompressed archive takes its place for pg_restore.
  expect(existsSync(join(workDir, 'payload-decompressed')), 'the decrypted archive is there while pg_restore runs').toBe(true);
  if (killWatchdog) {
    // The watchdog names the folder it guards on its command line.
    const watchdogs = processesMentioning(workDir);
    expect(watchdogs.length).toBeGreaterThanOrEqual(1);
    for (const watchdog of watchdogs) process.kill(watchdog, 'SIGKILL');
  }
  process.kill(pid, 'SIGKILL');
  await exited;
  return workDir;
}

describe('a drill killed with SIGKILL mid-restore', () => {
  it('leaves no plaintext: its watchdog removes the work folder', async () => {
    const dir = join(temp, 'watchdog');
    mkdirSync(dir);
    const workDir = await killMidRestore(dir);
    await expect.poll(() => existsSync(workDir), { timeout: 15_000, interval: 100 }).toBe(false);
    expect(readdirSync(dir).filter((entry) => entry.startsWith('lifeboat-drill-'))).toEqual([]);
  });

  it('with its watchdog killed too, the next run removes the folder as it starts', async () => {
    const dir = join(temp, 'sweep');
    mkdirSync(dir);
    const workDir = await killMidRestore(dir, true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(join(workDir, 'payload-decompressed')), 'nothing removed it yet').toBe(true);

    const next = await runCli(drillArgs(), drillEnv(dir));
    expect(next.output).toContain(`Removed ${workDir}: an earlier Lifeboat run that was killed left it behind`);
    expect(next.code, next.output).toBe(0);
    expect(existsSync(workDir)).toBe(false);
    expect(readdirSync(dir).filter((entry) => entry.startsWith('lifeboat-'))).toEqual([]);
  });
});
