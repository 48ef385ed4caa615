/**
 * Throwaway MariaDB servers for tests: Debian's `mariadbd` (package mariadb-server) with a
 * data folder made by mariadb-install-db, on a free loopback port, removed by `stop()` (and
 * by the cleanup watchdog if the test process dies). A user with a password is created for
 * TCP logins; root logs in over the socket only.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { guardCleanup } from '../../packages/core/src/process/cleanup-guard.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';

const run = promisify(execFile);

export interface MariaDbServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `mysql://user:password@127.0.0.1:port/database`, the password escaped. */
  url(database: string): string;
  /** Runs SQL as root over the socket; returns stdout (tab-separated, no column names). */
  sql(statements: string, database?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Fails loudly when MariaDB is missing: these tests never skip silently. */
export function requireMariaDb(): void {
  for (const program of ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump']) {
    const found = ['/usr/sbin', ...(process.env.PATH ?? '').split(':')].some((dir) => dir && existsSync(join(dir, program)));
    if (!found) throw new Error(`${program} is not installed: install the Debian packages mariadb-server and mariadb-client (.ci/run does).`);
  }
}

/** Starts a server with an empty data folder and a TCP user `lifeboat` that may do everything. */
export async function startMariaDb(password = 'maria pass/1@x'): Promise<MariaDbServer> {
  requireMariaDb();
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-test-mariadb-'));
  const guard = guardCleanup({ dirs: [dir] });
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  // The server's own temp folder, not the machine's: its bootstrap temp tables then cannot be touched by anything else.
  const temp = join(dir, 'tmp');
  await mkdir(temp);
  try {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, `--tmpdir=${temp}`, '--auth-root-authentication-method=socket', '--skip-test-db', ...asRoot], { env: { PATH: `/usr/sbin:${process.env.PATH}` } });
  } catch (error) {
    guard.release();
    await rm(dir, { recursive: true, force: true });
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`mariadb-install-db failed: ${`${stdout ?? ''}\n${stderr ?? ''}`.trim().split('\n').slice(-8).join(' / ')}`);
  }
  guard.release();
  const port = await freeLoopbackPort();
  const child = spawn(
    'mariadbd',
    ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'mariadbd.pid')}`, `--tmpdir=${temp}`, '--skip-log-bin', '--innodb-buffer-pool-size=16M', ...asRoot],
    { stdio: 'ignore', env: { PATH: `/usr/sbin:${process.env.PATH}` } },
  );
  const serverGuard = guardCleanup({ pid: child.pid, stopSignal: 'SIGTERM', dirs: [dir] });
  const sql = async (statements: string, database?: string) =>
    (await run('mariadb', ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names', ...(database ? [database] : []), '-e', statements], { env: { PATH: process.env.PATH } })).stdout;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      serverGuard.release();
      await rm(dir, { recursive: true, force: true });
      throw new Error(`mariadbd exited (${child.exitCode})`);
    }
    if (await sql('select 1').then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      serverGuard.release();
      throw new Error('mariadbd did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const user = 'lifeboat';
  const quoted = password.replace(/'/g, "''");
  await sql(`create user '${user}'@'127.0.0.1' identified by '${quoted}'; create user '${user}'@'localhost' identified by '${quoted}'; grant all on *.* to '${user}'@'127.0.0.1'; grant all on *.* to '${user}'@'localhost';`);
  let stopped: Promise<void> | undefined;
  return {
    port,
    user,
    password,
    url: (database) => `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    sql,
    stop() {
      stopped ??= (async () => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
        serverGuard.release();
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
