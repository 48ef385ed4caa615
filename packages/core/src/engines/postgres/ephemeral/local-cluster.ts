import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../../../process/child-env.js';
import { runTool } from '../../../process/spawn-tool.js';
import type { Reporter } from '../../../report/reporter.js';
import { registerSecret } from '../../../report/secrets.js';
import { detectPlatform } from '../../../toolchain/platform.js';
import { guardCleanup, sendSignal, type CleanupGuard } from '../../../process/cleanup-guard.js';
import { serverUrl, type LocalPostgres } from './ephemeral-postgres.js';
import { LocalClusterError, ServerBinariesMissingError } from './errors.js';
import { findServerInstallations, inspectServerDir, pickServerInstallation, serverMissingError, type ServerInstallation } from './server-binaries.js';
import { createDatabaseOn, freeLoopbackPort, waitForServer, type ServerLogin } from './server-connection.js';
import { canRunAs, copyServerInstall, reachableBy, serviceUser, type ServiceUser } from './service-user.js';

type Env = Record<string, string | undefined>;

/** How to start a throwaway cluster of this machine's server binaries. */
export interface LocalClusterOptions {
  /** The server major; default: the highest installed. */
  readonly major?: number;
  /** A folder holding `initdb` and `postgres` to use instead of looking for them. */
  readonly binDir?: string;
  /** Parent of the cluster's private folder (falls back to the OS temp when the server's user cannot reach it). */
  readonly tempDir: string;
  readonly reporter?: Reporter;
  /** Aborting stops the server and removes its files (during start-up too). */
  readonly signal?: AbortSignal;
  /** Server settings over the fast, non-durable defaults. */
  readonly settings?: Record<string, string>;
  /** Superuser password; default: random. */
  readonly password?: string;
  /**
   * Register the password as a secret (default true). Tests of redaction pass false, so
   * they see whether the code under test registers the passwords it handles.
   */
  readonly registerPassword?: boolean;
  /** Where to look for server binaries (PATH); default: this process's environment. */
  readonly env?: Env;
  /** How long the server may take to accept connections; default 60 s. */
  readonly readyTimeoutMs?: number;
}

const SUPERUSER = 'postgres';

/**
 * Throwaway means no durability: a crash loses nothing worth keeping, and a restore into
 * it runs several times faster without fsync and full-page writes.
 */
export const THROWAWAY_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '4GB',
  // A restore is one long write: no timed checkpoints in the middle of it.
  checkpoint_timeout: '1h',
  autovacuum: 'off',
  maintenance_work_mem: '256MB',
  max_connections: '40',
};

/** Starts a throwaway PostgreSQL cluster on loopback; `stop()` (or the signal, or exit) removes it. */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalPostgres> {
  const { reporter, signal } = options;
  signal?.throwIfAborted();
  const installation = await resolveInstallation(options);
  const user = await serviceUser();
  const base = await clusterParent(options.tempDir, user, reporter);
  const rootDir = await mkdtemp(join(base, 'lifeboat-pg-'));
  // Until the server runs, only the folder needs removing if this process dies.
  let guard: CleanupGuard = guardCleanup({ dirs: [rootDir] });
  try {
    const password = options.password ?? randomBytes(18).toString('base64url');
    if (options.registerPassword !== false) (reporter ? reporter.secret(password) : registerSecret(password));
    if (user) await chown(rootDir, user.uid, user.gid);
    let binDir = installation.binDir;
    if (user && !(await canRunAs(join(binDir, 'postgres'), user))) {
      reporter?.debug(`User ${user.name} cannot run ${binDir}; using a copy of the binaries.`);
      binDir = await copyServerInstall(binDir, join(rootDir, 'install'));
    }
    const dataDir = join(rootDir, 'data');
    const env = serverEnv(rootDir);
    await initdb({ binDir, rootDir, dataDir, password, env, user, signal });
    const settings = { ...THROWAWAY_SETTINGS, ...options.settings };
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const port = await freeLoopbackPort();
      const launched = await launch({ binDir, rootDir, dataDir, port, password, env, user, settings, signal, reporter, readyTimeoutMs: options.readyTimeoutMs ?? 60_000 });
      if (launched.kind === 'started') {
        guard.release();
        guard = launched.guard;
        const server = launched.server;
        reporter?.info(`Started a throwaway PostgreSQL ${server.version} on 127.0.0.1:${port} (${installation.binDir}).`);
        return server;
      }
      // Another process may take the port between probing and binding; try a fresh one.
      if (launched.kind === 'port-taken' && attempt < 3) continue;
      signal?.throwIfAborted();
      throw launched.error;
    }
  } catch (error) {
    // Left to the watchdog (at exit) if a straggling child still holds the folder.
    if (await removeDir(rootDir)) guard.release();
    throw error;
  }
}

/** Removes a folder, retrying while a just-killed process lets go of it; false if it stays. */
async function removeDir(dir: string): Promise<boolean> {
  return rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).then(
    () => true,
    () => false,
  );
}

async function resolveInstallation(options: LocalClusterOptions): Promise<ServerInstallation> {
  const platform = await detectPlatform();
  if (options.binDir !== undefined) {
    const found = await inspectServerDir(options.binDir, platform);
    if (!found) {
      throw new ServerBinariesMissingError(
        `${options.binDir} holds no PostgreSQL server binaries (initdb and postgres that run).`,
        'Point binDir at the bin folder of a PostgreSQL server installation',
        options.major,
      );
    }
    if (options.major !== undefined && found.major !== options.major) {
      throw new ServerBinariesMissingError(
        `${options.binDir} holds PostgreSQL ${found.version}, not ${options.major}.`,
        `Point binDir at PostgreSQL ${options.major} server binaries, or ask for major ${found.major}`,
        options.major,
      );
    }
    return found;
  }
  const installations = await findServerInstallations(options.env ?? process.env, platform);
  const chosen = pickServerInstallation(installations, options.major);
  if (!chosen) throw serverMissingError(options.major, installations, platform);
  return chosen;
}

/** The folder to create the cluster in: `tempDir`, unless the server's user cannot reach it. */
async function clusterParent(tempDir: string, user: ServiceUser | undefined, reporter: Reporter | undefined): Promise<string> {
  await mkdir(tempDir, { recursive: true });
  if (!user || (await reachableBy(tempDir, user))) return tempDir;
  const fallback = tmpdir();
  if (await reachableBy(fallback, user)) {
    reporter?.debug(`User ${user.name} cannot reach ${tempDir}; the throwaway cluster lives under ${fallback}.`);
    return fallback;
  }
  throw new LocalClusterError(
    `PostgreSQL must run as ${user.name} (it refuses root), and ${user.name} can reach neither ${tempDir} nor ${fallback}.`,
    `Give a temp folder every user can traverse (e.g. TMPDIR=/tmp), or run as a non-root user`,
  );
}

function serverEnv(home: string): Record<string, string> {
  // Nothing of the caller's environment (PG* variables, secrets) reaches the server: a restored
  // function that runs a program sees only this.
  return childEnv({ PATH: process.env.PATH ?? '/usr/bin:/bin' }, { HOME: home, LANG: 'C', LC_ALL: 'C', TZ: 'UTC' });
}

interface InitPlan {
  binDir: string;
  rootDir: string;
  dataDir: string;
  password: string;
  env: Record<string, string>;
  user: ServiceUser | undefined;
  signal: AbortSignal | undefined;
}

async function initdb(plan: InitPlan): Promise<void> {
  const { binDir, rootDir, dataDir, password, env, user, signal } = plan;
  // The password goes through a file only the server's user can read, never the command line.
  const pwFile = join(rootDir, 'pwfile');
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (user) await chown(pwFile, user.uid, user.gid);
  const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '--no-sync'];
  try {
    const result = await runTool(join(binDir, 'initdb'), args, { cwd: rootDir, env, signal, ...(user && { uid: user.uid, gid: user.gid }) });
    if (signal?.aborted) throw signal.reason;
    if (result.exitCode !== 0 || result.spawnError) {
      const how = result.spawnError?.message ?? (result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`);
      throw new LocalClusterError(
        `initdb of ${binDir} failed (${how}): ${tail(`${result.stdout}${result.stderrTail}`)}`,
        'Check that the server binaries are complete and the temp folder has space',
        { cause: result.spawnError },
      );
    }
  } finally {
    await rm(pwFile, { force: true });
  }
}

interface LaunchPlan extends Omit<InitPlan, 'signal'> {
  port: number;
  settings: Record<string, string>;
  signal: AbortSignal | undefined;
  readyTimeoutMs: number;
  reporter: Reporter | undefined;
}

type Launched =
  | { kind: 'started'; server: LocalPostgres; guard: CleanupGuard }
  | { kind: 'port-taken' | 'failed'; error: Error };

async function launch(plan: LaunchPlan): Promise<Launched> {
  const { binDir, rootDir, dataDir, port, password, env, user, settings, signal } = plan;
  const logPath = join(rootDir, `server-${port}.log`);
  const log = await open(logPath, 'a');
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child: ChildProcess;
  try {
    // Detached: a Ctrl-C to the caller's process group does not reach the server mid-restore;
    // stop(), the signal, the exit hook or the watchdog end it.
    child = spawn(join(binDir, 'postgres'), args, {
      cwd: rootDir,
      env,
      stdio: ['ignore', log.fd, log.fd],
      detached: true,
      ...(user && { uid: user.uid, gid: user.gid }),
    });
  } finally {
    await log.close();
  }
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((done) => {
    child.once('exit', (code, sig) => {
      exited = sig ?? `exit ${code}`;
      done();
    });
    child.once('error', (error) => {
      exited = error.message;
      done();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exitedPromise;
    return { kind: 'failed', error: new LocalClusterError(`Could not start ${join(binDir, 'postgres')}: ${exited}.`, 'Check the server binaries') };
  }
  child.unref();
  const guard = guardCleanup({ pid, dirs: [rootDir] });
  const onAbort = () => sendSignal(pid, 'SIGQUIT');
  signal?.addEventListener('abort', onAbort, { once: true });
  const login: ServerLogin = { host: '127.0.0.1', port, user: SUPERUSER, password };

  const readiness = await waitForServer(login, { timeoutMs: plan.readyTimeoutMs, signal, gone: () => exited && `postgres exited (${exited})` });
  if (!readiness.ready) {
    signal?.removeEventListener('abort', onAbort);
    if (exited === undefined) {
      sendSignal(pid, 'SIGKILL');
      await exitedPromise;
    }
    guard.release();
    const logText = await readFile(logPath, 'utf8').catch(() => '');
    if (/could not bind|already in use/i.test(logText)) return { kind: 'port-taken', error: new Error(tail(logText)) };
    const what = readiness.why === 'timeout' ? `did not accept connections within ${Math.round(plan.readyTimeoutMs / 1000)} s (${readiness.detail})` : readiness.detail;
    return {
      kind: 'failed',
      error: new LocalClusterError(`The throwaway PostgreSQL server ${what}: ${tail(logText)}`, 'Check the server log lines above; the machine may be short of memory or shared memory'),
    };
  }

  let stopping: Promise<void> | undefined;
  const server: LocalPostgres = {
    kind: 'local',
    host: login.host,
    port,
    user: SUPERUSER,
    password,
    major: readiness.major,
    version: readiness.version,
    pid,
    binDir,
    rootDir,
    url: (database) => serverUrl(login, database),
    createDatabase: (name) => createDatabaseOn(login, name),
    stop() {
      stopping ??= (async () => {
        signal?.removeEventListener('abort', stopOnAbort);
        if (exited === undefined) {
          sendSignal(pid, 'SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait worth having
          const timer = setTimeout(() => sendSignal(pid, 'SIGKILL'), 15_000);
          await exitedPromise;
          clearTimeout(timer);
        }
        if (await removeDir(rootDir)) guard.release();
        else plan.reporter?.warning(`Could not remove ${rootDir} yet; it is removed when this process exits.`);
      })();
      return stopping;
    },
  };
  signal?.removeEventListener('abort', onAbort);
  const stopOnAbort = () => void server.stop();
  if (signal?.aborted) {
    await server.stop();
    return { kind: 'failed', error: signal.reason };
  }
  signal?.addEventListener('abort', stopOnAbort, { once: true });
  return { kind: 'started', server, guard };
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
