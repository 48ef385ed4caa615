import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerSettings,
  dockerCli,
  DockerPostgresError,
  dockerRunArgs,
  DockerUnavailableError,
  parsePublishedPort,
  probeDocker,
  startDockerPostgres,
} from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import { describeError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { fakeDocker } from './support/fake-docker.js';

// No docker engine runs here: the container logic is driven through a fake docker command
// runner (support/fake-docker.ts) whose "container" is a real PostgreSQL server, and the
// real docker client is only asked about an engine that is absent.

let server: PgServer;
/** The backing server's live login; `docker run` in the fake changes its password. */
let backing: { port: number; password: string };

beforeAll(async () => {
  server = await startPostgres();
  backing = { port: server.port, password: server.password };
});
afterAll(async () => {
  await server?.stop();
});

function containerName(calls: { args: readonly string[] }[]): string {
  const run = calls.find((c) => c.args[0] === 'run')!;
  return run.args[run.args.indexOf('--name') + 1]!;
}

describe('docker run arguments', () => {
  const args = dockerRunArgs({ name: 'lifeboat-pg-abc', image: 'postgres:16', settings: containerSettings() });

  it('publish the port on loopback only, name the image, and pass the password by name only', () => {
    expect(args.slice(0, 2)).toEqual(['run', '--detach']);
    expect(args[args.indexOf('--publish') + 1]).toBe('127.0.0.1::5432');
    expect(args[args.indexOf('--name') + 1]).toBe('lifeboat-pg-abc');
    const envs = args.flatMap((a, i) => (args[i - 1] === '--env' ? [a] : []));
    expect(envs).toContain('POSTGRES_PASSWORD'); // value taken from the client's environment
    expect(envs.every((e) => !e.startsWith('POSTGRES_PASSWORD='))).toBe(true);
    const image = args.indexOf('postgres:16');
    expect(image).toBeGreaterThan(0);
    expect(args[image + 1]).toBe('postgres');
  });

  it('carry the fast settings, but not where the server listens or its socket (the entrypoint needs both)', () => {
    const settings = args.flatMap((a, i) => (args[i - 1] === '-c' ? [a] : []));
    expect(settings).toContain('fsync=off');
    expect(settings).toContain('full_page_writes=off');
    expect(settings.some((s) => s.startsWith('listen_addresses='))).toBe(false);
    expect(settings.some((s) => s.startsWith('unix_socket_directories='))).toBe(false);
  });

  it.each([
    ['127.0.0.1:49153\n', 49153],
    ['0.0.0.0:5000\n127.0.0.1:5001\n', 5001],
    ['0.0.0.0:5000\n[::]:5000\n', undefined],
    ['', undefined],
  ])('docker port output %j gives %s', (output, port) => {
    expect(parsePublishedPort(output)).toBe(port);
  });
});

describe('startDockerPostgres', () => {
  it('starts, waits until the server answers, and stop removes the container once', async () => {
    const reporter = new MemoryReporter();
    const { docker, calls, removed } = fakeDocker({ backing });
    const pgServer = await startDockerPostgres({ major: server.major, docker, reporter });
    expect(pgServer.kind).toBe('docker');
    expect(pgServer.image).toBe(`postgres:${server.major}`);
    expect(pgServer.major).toBe(server.major);
    expect(pgServer.version).toBe(server.version);
    expect(pgServer.port).toBe(server.port);
    // The password reached docker through the environment of `docker run` only.
    const run = calls.find((c) => c.args[0] === 'run')!;
    expect(run.passwordEnv).toBe(pgServer.password);
    expect(calls.filter((c) => c.args[0] !== 'run').every((c) => c.passwordEnv === undefined)).toBe(true);
    expect(calls.flatMap((c) => c.args).join(' ')).not.toContain(pgServer.password);

    await pgServer.createDatabase('drill');
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: pgServer.url('drill') });
    await client.connect();
    expect((await client.query('SELECT current_database() AS d')).rows).toEqual([{ d: 'drill' }]);
    await client.end();
    const admin = new pg.default.Client({ connectionString: pgServer.url() });
    await admin.connect();
    await admin.query('DROP DATABASE drill');
    await admin.end();

    expect(removed()).toEqual([]);
    await pgServer.stop();
    await pgServer.stop();
    expect(removed()).toEqual([`rm --force --volumes ${pgServer.container}`]);
    expect(reporter.text()).toContain(pgServer.container);
    expect(reporter.text()).not.toContain(pgServer.password);
  });

  it('a server that never answers times out with the last connection error, and the container is removed', async () => {
    const { docker, calls, removed } = fakeDocker({ port: await freeLoopbackPort() });
    const error = await startDockerPostgres({ major: 16, docker, readyTimeoutMs: 1_500, pollIntervalMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerPostgresError);
    expect(describeError(error)).toMatch(/postgres:16 did not accept connections within 2 s \(.*ECONNREFUSED/);
    expect(removed()).toEqual([`rm --force --volumes ${containerName(calls)}`]);
  });

  it('a container that exits fails with its log lines, and is removed', async () => {
    const { docker, calls, removed } = fakeDocker({
      port: await freeLoopbackPort(),
      state: () => 'exited',
      logs: 'initdb: error: directory "/var/lib/postgresql/data" exists but is not empty\n',
    });
    const error = await startDockerPostgres({ major: 16, docker, pollIntervalMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerPostgresError);
    expect((error as Error).message).toContain('postgres:16 did not start: the container is exited: initdb: error: directory');
    expect(removed()).toEqual([`rm --force --volumes ${containerName(calls)}`]);
  });

  it('an image that does not exist fails naming it, and the container name is removed anyway', async () => {
    const { docker, calls, removed } = fakeDocker({
      runFailure: {
        exitCode: 125,
        stdout: '',
        stderr: "Unable to find image 'postgres:99' locally\ndocker: Error response from daemon: manifest for postgres:99 not found: manifest unknown: manifest unknown.\n",
      },
    });
    const error = await startDockerPostgres({ major: 99, docker }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerPostgresError);
    expect((error as DockerPostgresError).message).toContain('docker run postgres:99 failed');
    expect((error as DockerPostgresError).message).toContain('manifest for postgres:99 not found');
    expect((error as DockerPostgresError).fix).toContain('official image (postgres:99)');
    expect(removed()).toEqual([`rm --force --volumes ${containerName(calls)}`]);
  });

  it('an image of another major than asked for is refused, and removed', async () => {
    const { docker, calls, removed } = fakeDocker({ backing });
    const error = await startDockerPostgres({ major: server.major + 1, docker }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerPostgresError);
    expect((error as Error).message).toContain(`postgres:${server.major + 1} runs PostgreSQL ${server.major}.`);
    expect(removed()).toEqual([`rm --force --volumes ${containerName(calls)}`]);
  });

  it('aborting while waiting for readiness rejects with the abort and removes the container', async () => {
    const controller = new AbortController();
    let inspections = 0;
    const { docker, calls, removed } = fakeDocker({
      port: await freeLoopbackPort(),
      state: () => {
        if (++inspections === 2) controller.abort();
        return 'running';
      },
    });
    await expect(startDockerPostgres({ major: 16, docker, signal: controller.signal, pollIntervalMs: 50 })).rejects.toMatchObject({ name: 'AbortError' });
    expect(removed()).toEqual([`rm --force --volumes ${containerName(calls)}`]);
  });

  it('a container that cannot be removed is reported with the command to remove it', async () => {
    const reporter = new MemoryReporter();
    const { docker } = fakeDocker({ backing, removeFailure: { exitCode: 1, stdout: '', stderr: 'Error response from daemon: removal in progress' } });
    const pgServer = await startDockerPostgres({ major: server.major, docker, reporter });
    await pgServer.stop();
    expect(reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      `Could not remove container ${pgServer.container}: Error response from daemon: removal in progress; remove it with: docker rm -f -v ${pgServer.container}`,
    ]);
  });

  it('no engine: a clear error before any container is created', async () => {
    const { docker, calls } = fakeDocker({ engine: false });
    const error = await startDockerPostgres({ major: 16, docker }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect(describeError(error)).toMatch(/Cannot start a postgres:16 container: the docker engine does not answer \(Cannot connect to the Docker daemon/);
    expect((error as DockerUnavailableError).fix).toContain('target-database-url');
    expect(calls.map((c) => c.args[0])).toEqual(['version']);
  });
});

const dockerInstalled = spawnSync('docker', ['--version']).status === 0;

describe('the real docker client', () => {
  it.runIf(dockerInstalled)('without a reachable engine: DockerUnavailableError naming the engine', async () => {
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/lifeboat-test-docker.sock' };
    const status = await probeDocker(dockerCli(), env);
    expect(status).toMatchObject({ available: false, why: 'no-engine' });
    const error = await startDockerPostgres({ major: 16, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(/the docker engine does not answer \(.*nonexistent\/lifeboat-test-docker\.sock/);
  });

  it('not installed: DockerUnavailableError saying so', async () => {
    const error = await startDockerPostgres({ major: 16, env: { PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toBe('Cannot start a postgres:16 container: docker is not installed.');
  });
});
