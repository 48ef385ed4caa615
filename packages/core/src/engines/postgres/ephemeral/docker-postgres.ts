import { randomBytes } from 'node:crypto';
import type { Reporter } from '../../../report/reporter.js';
import { registerSecret } from '../../../report/secrets.js';
import { guardCleanup } from '../../../process/cleanup-guard.js';
import { dockerCli, dockerEnv, lastLines, probeDocker, type DockerRunner } from './docker-command.js';
import { serverUrl, type DockerPostgres } from './ephemeral-postgres.js';
import { DockerPostgresError, DockerUnavailableError } from './errors.js';
import { THROWAWAY_SETTINGS } from './local-cluster.js';
import { createDatabaseOn, waitForServer, type ServerLogin } from './server-connection.js';

/** How to start a `postgres:<major>` container. */
export interface DockerPostgresOptions {
  readonly major: number;
  readonly reporter?: Reporter;
  /** Aborting removes the container (during start-up too). */
  readonly signal?: AbortSignal;
  /** Environment of the docker client (DOCKER_HOST, PATH); default: this process's. */
  readonly env?: Record<string, string | undefined>;
  /** Runs docker; default: the client on PATH. Tests inject a fake. */
  readonly docker?: DockerRunner;
  /** Program the cleanup guard runs if this process dies; default `docker`. */
  readonly dockerProgram?: string;
  /** `docker run` time, image pull included; default 10 min. */
  readonly runTimeoutMs?: number;
  /** Time for the server to accept connections after the container started; default 2 min. */
  readonly readyTimeoutMs?: number;
  /** How often readiness is probed; default 500 ms. */
  readonly pollIntervalMs?: number;
}

const SUPERUSER = 'postgres';
const CONTAINER_PORT = '5432/tcp';

/**
 * Settings for the container's server: the local cluster's fast ones, minus where it
 * listens (inside a container: everywhere, on its own network namespace) and the socket
 * folder (the image's entrypoint needs the socket to run its init scripts).
 */
export function containerSettings(): Record<string, string> {
  const { listen_addresses: _l, unix_socket_directories: _u, ...rest } = THROWAWAY_SETTINGS;
  return rest;
}

/**
 * The `docker run` arguments. The password is passed by name only (`-e POSTGRES_PASSWORD`
 * takes the value from the client's environment), so it never shows in a process list; the
 * port is published on loopback only, on a host port docker picks.
 */
export function dockerRunArgs(plan: { name: string; image: string; settings: Record<string, string> }): string[] {
  return [
    'run',
    '--detach',
    '--name',
    plan.name,
    '--label',
    'org.lifeboat.ephemeral=true',
    '--env',
    'POSTGRES_PASSWORD',
    '--env',
    `POSTGRES_USER=${SUPERUSER}`,
    '--publish',
    `127.0.0.1::${CONTAINER_PORT.replace('/tcp', '')}`,
    '--shm-size',
    '256m',
    plan.image,
    'postgres',
    ...Object.entries(plan.settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
}

/** The host port from `docker port <name> 5432/tcp` output (`127.0.0.1:49153`). */
export function parsePublishedPort(output: string): number | undefined {
  for (const line of output.split(/\r?\n/)) {
    const match = /^127\.0\.0\.1:(\d+)$/.exec(line.trim());
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Starts `postgres:<major>` with docker, ready for connections; `stop()` (or the signal, or exit) removes it. */
export async function startDockerPostgres(options: DockerPostgresOptions): Promise<DockerPostgres> {
  const { major, reporter, signal } = options;
  signal?.throwIfAborted();
  const docker = options.docker ?? dockerCli(options.dockerProgram);
  // Allow-listed: the runner's secrets never reach docker, and only the run call gets a POSTGRES_PASSWORD (ours).
  const env = dockerEnv(options.env ?? process.env);
  const status = await probeDocker(docker, env, signal);
  if (!status.available) {
    signal?.throwIfAborted();
    throw new DockerUnavailableError(
      status.why === 'no-client'
        ? `Cannot start a postgres:${major} container: docker is not installed.`
        : `Cannot start a postgres:${major} container: the docker engine does not answer (${status.detail}).`,
      `Start the docker engine (or use a Linux runner, where it runs), or give the drill a \`services: postgres\` container (image postgres:${major}) and its URL as \`target-database-url\``,
    );
  }

  const image = `postgres:${major}`;
  const name = `lifeboat-pg-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  reporter ? reporter.secret(password) : registerSecret(password);
  const removeArgs = ['rm', '--force', '--volumes', name];
  // Registered before `docker run`: a container can exist even when run fails (e.g. a port clash).
  const guard = guardCleanup({ commands: [[options.dockerProgram ?? 'docker', ...removeArgs]] }, env);
  let removal: Promise<void> | undefined;
  const remove = () =>
    (removal ??= (async () => {
      signal?.removeEventListener('abort', onAbort);
      const result = await docker(removeArgs, { env, timeoutMs: 60_000 });
      // "No such container" means there is nothing left to remove.
      if (result.exitCode !== 0 && !/no such container/i.test(result.stderr)) {
        reporter?.warning(`Could not remove container ${name}: ${lastLines(result.stderr, 2)}; remove it with: docker rm -f -v ${name}`);
      } else {
        guard.release();
      }
    })());
  const onAbort = () => void remove();
  signal?.addEventListener('abort', onAbort, { once: true });

  const fail = async (message: string, fix: string): Promise<never> => {
    await remove();
    signal?.throwIfAborted();
    throw new DockerPostgresError(message, fix);
  };

  try {
    reporter?.info(`Starting a throwaway ${image} container (${name}).`);
    const run = await docker(dockerRunArgs({ name, image, settings: containerSettings() }), {
      env: { ...env, POSTGRES_PASSWORD: password },
      timeoutMs: options.runTimeoutMs ?? 600_000,
      signal,
    });
    if (run.exitCode !== 0) {
      const detail = lastLines(run.stderr || run.stdout, 3) || `exit ${run.exitCode ?? 'abnormal (timed out?)'}`;
      const unknownImage = /manifest (for .* )?(not found|unknown)|pull access denied|not found: manifest/i.test(detail);
      return await fail(
        `docker run ${image} failed: ${detail}`,
        unknownImage
          ? `Check that PostgreSQL ${major} has an official image (postgres:${major}) and the runner can pull from Docker Hub`
          : 'Check the docker engine (disk space, network to pull the image) and retry',
      );
    }
    const portOut = await docker(['port', name, CONTAINER_PORT], { env, timeoutMs: 30_000, signal });
    const port = parsePublishedPort(portOut.stdout);
    if (port === undefined) {
      return await fail(`docker did not publish ${name}'s port ${CONTAINER_PORT} on 127.0.0.1 (${lastLines(portOut.stderr || portOut.stdout, 2) || 'no output'}).`, 'Check the docker engine');
    }
    const login: ServerLogin = { host: '127.0.0.1', port, user: SUPERUSER, password };
    const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    const readiness = await waitForServer(login, {
      timeoutMs: readyTimeoutMs,
      signal,
      intervalMs: options.pollIntervalMs ?? 500,
      gone: async () => {
        const state = await docker(['inspect', '--format', '{{.State.Status}}', name], { env, timeoutMs: 30_000 });
        const status = state.stdout.trim();
        if (state.exitCode === 0 && status !== 'exited' && status !== 'dead') return undefined;
        const logs = await docker(['logs', '--tail', '20', name], { env, timeoutMs: 30_000 });
        return `the container ${status ? `is ${status}` : 'is gone'}: ${lastLines(`${logs.stdout}\n${logs.stderr}`, 5) || 'no log output'}`;
      },
    });
    if (!readiness.ready) {
      return await fail(
        readiness.why === 'timeout'
          ? `${image} did not accept connections within ${Math.round(readyTimeoutMs / 1000)} s (${readiness.detail}).`
          : `${image} did not start: ${readiness.detail}`,
        'Check the container log above; the runner may be short of memory or disk',
      );
    }
    if (readiness.major !== major) {
      return await fail(`${image} runs PostgreSQL ${readiness.version}, not ${major}.`, `Check the image tag postgres:${major} on the registry the runner pulls from`);
    }
    reporter?.info(`Started PostgreSQL ${readiness.version} in container ${name} on 127.0.0.1:${port}.`);
    return {
      kind: 'docker',
      host: login.host,
      port,
      user: SUPERUSER,
      password,
      major: readiness.major,
      version: readiness.version,
      container: name,
      image,
      url: (database) => serverUrl(login, database),
      createDatabase: (dbName) => createDatabaseOn(login, dbName),
      stop: remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
