import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from '../../report/reporter.js';
import { registerSecret } from '../../report/secrets.js';
import { childEnv } from '../../process/child-env.js';
import { spawnTool } from '../../process/spawn-tool.js';
import { guardCleanup } from '../../process/cleanup-guard.js';
import { dockerCli, lastLines, probeDocker, type DockerRunner } from '../postgres/ephemeral/docker-command.js';
import { isLinuxRunner } from '../postgres/ephemeral/choose.js';
import { freeLoopbackPort } from '../postgres/ephemeral/server-connection.js';
import { detectPlatform } from '../../toolchain/platform.js';
import { connectClient } from './client.js';
import type { RedisConnection } from './connection.js';
import { RedisError, RedisServerStartError, RedisServerUnavailableError } from './errors.js';
import { readServerFacts } from './info.js';
import { chooseRedisServer, findLocalRedisServer, redisDockerWorthProbing } from './server-choice.js';

type Env = Record<string, string | undefined>;

/** A throwaway redis-server Lifeboat started: loopback only, a random password, its own folder. */
export interface ThrowawayRedis {
  readonly kind: 'local' | 'docker';
  readonly connection: RedisConnection;
  readonly version: string;
  readonly major: number;
  /** Why this server differs from the backup's major (a newer one). */
  readonly note?: string;
  /** The server's private folder (the snapshot, a container's config). */
  readonly dir: string;
  /** The local server's process id. */
  readonly pid?: number;
  /** Stops the server and removes its folder (or container); never throws. */
  stop(): Promise<void>;
}

export interface ThrowawayOptions {
  /** The major of the server the backup came from. */
  readonly backupMajor: number;
  /** An RDB to load at start-up; absent: an empty server. */
  readonly rdbPath?: string;
  /** Number of databases to offer (at least the highest backed-up database + 1). */
  readonly databases: number;
  readonly tempDir: string;
  /** Default: redis-server on PATH. */
  readonly serverPath?: string;
  readonly env: Env;
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
  /** Test seams: the docker client, and the facts about the runner. */
  readonly docker?: DockerRunner;
  readonly linuxRunner?: boolean;
  /** Time to load the RDB and accept connections; default 10 min. */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts a redis-server to restore into: the machine's of the same or a newer major, or a
 * `redis:<major>` container on Linux runners, never an older one. It listens on 127.0.0.1
 * only, with a random password given through its configuration (stdin, or a private file for
 * a container), never on a command line, and it is removed on stop, on exit, and by a
 * watchdog if this process is killed.
 */
export async function startThrowawayRedis(options: ThrowawayOptions): Promise<ThrowawayRedis> {
  const env = childEnv(options.env);
  const local = await findLocalRedisServer(options.serverPath ?? 'redis-server', env);
  const platform = await detectPlatform();
  const linuxRunner = options.linuxRunner ?? isLinuxRunner(options.env, platform);
  const base = { backupMajor: options.backupMajor, local, linuxRunner };
  const docker = redisDockerWorthProbing(base) ? await probeDocker(options.docker ?? dockerCli(), env, options.signal) : undefined;
  const choice = chooseRedisServer({ ...base, docker });
  if (choice.kind === 'refuse') throw new RedisServerUnavailableError(choice.reason, choice.fix);
  if (choice.kind === 'docker') return startDockerRedis({ ...options, image: choice.image, docker: options.docker ?? dockerCli() }, env);
  const server = await startLocalRedis({ ...options, serverPath: choice.server.path }, env);
  return { ...server, note: choice.note };
}

/** The redis.conf of a throwaway server. */
export function throwawayConfig(settings: { bind: string; port: number; dir: string; password: string; databases: number }): string {
  return `${[
    `bind ${settings.bind}`,
    'protected-mode yes',
    `port ${settings.port}`,
    `dir ${settings.dir}`,
    'dbfilename dump.rdb',
    `requirepass ${settings.password}`,
    'save ""',
    'appendonly no',
    `databases ${settings.databases}`,
    'logfile ""',
    'daemonize no',
    // A loaded snapshot is checked as it is; the server must not compact, evict or rewrite it.
    'maxmemory 0',
  ].join('\n')}\n`;
}

async function startLocalRedis(options: ThrowawayOptions & { serverPath: string }, env: Record<string, string>): Promise<ThrowawayRedis> {
  const dir = await mkdtemp(join(options.tempDir, 'lifeboat-redis-'));
  let guard = guardCleanup({ dirs: [dir] });
  const password = randomBytes(24).toString('base64url');
  options.reporter ? options.reporter.secret(password) : registerSecret(password);
  try {
    if (options.rdbPath) await linkOrCopy(options.rdbPath, join(dir, 'dump.rdb'));
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const log: string[] = [];
      const server = spawnTool(options.serverPath, ['-'], { env, cwd: dir, stdin: 'pipe', stdout: 'pipe', signal: options.signal });
      server.stdout!.setEncoding('utf8');
      server.stdout!.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim()) log.push(line.trim());
        if (log.length > 40) log.splice(0, log.length - 40);
      });
      server.stdin!.on('error', () => {});
      server.stdin!.end(throwawayConfig({ bind: '127.0.0.1', port, dir, password, databases: options.databases }));
      guard.release();
      guard = guardCleanup({ pid: server.child.pid, stopSignal: 'SIGTERM', dirs: [dir] });
      const connection: RedisConnection = { host: '127.0.0.1', port, tls: false, tlsSettings: {}, password };
      let exited = false;
      void server.exit.then(() => (exited = true));
      const ready = await waitReady(connection, {
        timeoutMs: options.readyTimeoutMs ?? 600_000,
        signal: options.signal,
        gone: () => (exited ? exitReason(log) : undefined),
      });
      if (ready.ok) {
        options.reporter?.info(`Started a throwaway redis-server ${ready.version} on 127.0.0.1:${port}${options.rdbPath ? ', snapshot loaded' : ''}.`);
        let stopped: Promise<void> | undefined;
        return {
          kind: 'local',
          connection,
          dir,
          pid: server.child.pid,
          version: ready.version,
          major: ready.major,
          stop: () =>
            (stopped ??= (async () => {
              server.kill();
              await server.exit;
              await rm(dir, { recursive: true, force: true }).catch(() => {});
              guard.release();
            })()),
        };
      }
      server.kill();
      await server.exit;
      if (/address already in use/i.test(ready.detail) && attempt < 3) continue;
      throw new RedisServerStartError(
        `The throwaway redis-server did not ${options.rdbPath ? 'load the snapshot' : 'start'}: ${ready.detail}`,
        /RDB format version|Can't handle RDB/i.test(ready.detail)
          ? 'The snapshot is from a newer Redis than this redis-server: install a newer redis-server (or use a `redis:<major>` container)'
          : // A cut inside a stream or module value is reported as an internal reading error, not a short read.
            /Short read|Bad file format|Wrong signature|checksum|Internal error in RDB reading|Unexpected EOF/i.test(ready.detail)
            ? 'The snapshot is damaged; use another backup id'
            : 'See the server\'s messages above',
      );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    guard.release();
    throw error;
  }
}

/** Why redis-server exited: the line naming the problem first (it precedes the check's details), then the last lines. */
function exitReason(log: readonly string[]): string {
  const strip = (line: string) => line.replace(/^\d+:[A-Z] \d{2} \w{3} \d{4} [\d:.]+ [#*.-] /, '');
  const cause = log.find((line) => /Short read|Bad file format|Wrong signature|Can't handle RDB|checksum|Unexpected EOF|Internal error in RDB|FATAL|Fatal error|Address already in use/i.test(line));
  const tail = lastLines(log.map(strip).join('\n'), 4);
  return [cause ? strip(cause) : undefined, tail].filter(Boolean).join(' / ') || 'it exited without a message';
}

/** Hard-links the snapshot into the server's folder (same file system), else copies it. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

type Ready = { ok: true; version: string; major: number } | { ok: false; detail: string };

/** Polls until the server answers INFO with loading:0, it exits, or the time runs out. */
async function waitReady(
  connection: RedisConnection,
  options: { timeoutMs: number; signal?: AbortSignal; gone: () => string | undefined },
): Promise<Ready> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const gone = options.gone();
    if (gone) return { ok: false, detail: gone };
    if (options.signal?.aborted) return { ok: false, detail: 'the drill was stopped' };
    try {
      const client = await connectClient(connection, { connectTimeoutMs: 5000 });
      try {
        const facts = await readServerFacts(client);
        if (!facts.loading) return { ok: true, version: facts.version, major: facts.major };
        last = 'still loading the snapshot';
      } finally {
        await client.close();
      }
    } catch (error) {
      last = error instanceof RedisError ? error.message : String(error);
      if (/LOADING/.test(last)) last = 'still loading the snapshot';
    }
    if (Date.now() > deadline) return { ok: false, detail: `not ready within ${Math.round(options.timeoutMs / 1000)} s (${last})` };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How to start a `redis:<major>` container. */
export interface DockerRedisPlan {
  readonly name: string;
  readonly image: string;
  /** Host folder mounted at /data: holds redis.conf and dump.rdb. */
  readonly dir: string;
}

/** The `docker run` arguments: the port published on loopback only, the password only in the mounted config. */
export function dockerRedisArgs(plan: DockerRedisPlan): string[] {
  return [
    'run',
    '--detach',
    '--name',
    plan.name,
    '--label',
    'org.lifeboat.ephemeral=true',
    '--publish',
    '127.0.0.1::6379',
    '--volume',
    `${plan.dir}:/data`,
    plan.image,
    'redis-server',
    '/data/redis.conf',
  ];
}

async function startDockerRedis(options: ThrowawayOptions & { image: string; docker: DockerRunner }, env: Record<string, string>): Promise<ThrowawayRedis> {
  const { docker, image } = options;
  const dir = await mkdtemp(join(options.tempDir, 'lifeboat-redis-'));
  const name = `lifeboat-redis-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('base64url');
  options.reporter ? options.reporter.secret(password) : registerSecret(password);
  const removeArgs = ['rm', '--force', '--volumes', name];
  const guard = guardCleanup({ commands: [['docker', ...removeArgs]], dirs: [dir] }, env);
  const remove = async () => {
    const result = await docker(removeArgs, { env, timeoutMs: 60_000 });
    if (result.exitCode !== 0 && !/no such container/i.test(result.stderr)) {
      options.reporter?.warning(`Could not remove container ${name}: ${lastLines(result.stderr, 2)}; remove it with: docker rm -f -v ${name}`);
    }
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    guard.release();
  };
  try {
    if (options.rdbPath) await copyFile(options.rdbPath, join(dir, 'dump.rdb'));
    // The container's own network namespace: it listens on all its interfaces; the host side is loopback only.
    await writeFile(join(dir, 'redis.conf'), throwawayConfig({ bind: '0.0.0.0', port: 6379, dir: '/data', password, databases: options.databases }), { mode: 0o644 });
    options.reporter?.info(`Starting a throwaway ${image} container (${name}).`);
    const run = await docker(dockerRedisArgs({ name, image, dir }), { env, timeoutMs: 600_000, signal: options.signal });
    if (run.exitCode !== 0) throw new RedisServerStartError(`docker run ${image} failed: ${lastLines(run.stderr || run.stdout, 3) || `exit ${run.exitCode}`}`, 'Check the docker engine and that the runner can pull the image');
    const portOut = await docker(['port', name, '6379/tcp'], { env, timeoutMs: 30_000, signal: options.signal });
    const port = Number(/^127\.0\.0\.1:(\d+)$/m.exec(portOut.stdout.trim())?.[1]);
    if (!port) throw new RedisServerStartError(`docker did not publish ${name}'s port 6379 on 127.0.0.1.`, 'Check the docker engine');
    const connection: RedisConnection = { host: '127.0.0.1', port, tls: false, tlsSettings: {}, password };
    const ready = await waitReady(connection, {
      timeoutMs: options.readyTimeoutMs ?? 600_000,
      signal: options.signal,
      gone: () => undefined,
    });
    if (!ready.ok) {
      const logs = await docker(['logs', '--tail', '20', name], { env, timeoutMs: 30_000 });
      throw new RedisServerStartError(`${image} did not become ready: ${ready.detail}; ${lastLines(`${logs.stdout}\n${logs.stderr}`, 5)}`, 'See the container log above');
    }
    options.reporter?.info(`Started redis-server ${ready.version} in container ${name} on 127.0.0.1:${port}.`);
    let stopped: Promise<void> | undefined;
    return { kind: 'docker', connection, dir, version: ready.version, major: ready.major, stop: () => (stopped ??= remove()) };
  } catch (error) {
    await remove();
    throw error;
  }
}
