import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findServerInstallations,
  NoEphemeralPostgresError,
  startEphemeralPostgres,
  type ServerInstallation,
} from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { detectPlatform } from '../../packages/core/src/toolchain/platform.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { fakeDocker } from './support/fake-docker.js';
import { isRunning } from './support/processes.js';

let tempDir: string;
let installed: ServerInstallation[];
const laptop = { ...process.env, GITHUB_ACTIONS: undefined, RUNNER_OS: undefined };
const runner = { ...process.env, GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux' };

beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'lifeboat-eph-start-'));
  chmodSync(tempDir, 0o755);
  installed = await findServerInstallations(process.env, await detectPlatform());
});
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function serverMajor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n");
    return Math.floor(Number(rows[0]!.n) / 10_000);
  } finally {
    await client.end();
  }
}

describe('startEphemeralPostgres', () => {
  it('the exact major from local binaries, without a note', async () => {
    const major = installed[0]!.major;
    const server = await startEphemeralPostgres({ major, tempDir, env: laptop });
    try {
      expect(server).toMatchObject({ kind: 'local', major });
      expect(server.note).toBeUndefined();
      expect(await serverMajor(server.url())).toBe(major);
    } finally {
      await server.stop();
    }
    expect(isRunning((server as unknown as { pid: number }).pid)).toBe(false);
  });

  it('a newer local major when the exact one is missing, with a note', async () => {
    const lowest = installed.at(-1)!.major;
    const reporter = new MemoryReporter();
    const server = await startEphemeralPostgres({ major: lowest - 1, tempDir, env: laptop, reporter });
    try {
      expect(server).toMatchObject({ kind: 'local', major: lowest });
      expect(server.note).toContain(`No PostgreSQL ${lowest - 1} server here`);
      expect(reporter.text()).toContain(`Note: ${server.note}`);
    } finally {
      await server.stop();
    }
  });

  it('off a runner, a major newer than every local one is refused with both ways out', async () => {
    const major = installed[0]!.major + 1;
    const error = await startEphemeralPostgres({ major, tempDir, env: laptop }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoEphemeralPostgresError);
    expect((error as NoEphemeralPostgresError).message).toContain(`needs a PostgreSQL ${major} (or newer) server`);
    expect((error as NoEphemeralPostgresError).fix).toContain(`image postgres:${major}`);
    expect((error as NoEphemeralPostgresError).fix).toContain('target-database-url');
  });

  it('on a Linux runner without a docker engine, the refusal names the engine problem', async () => {
    const major = installed[0]!.major + 1;
    const { docker, calls } = fakeDocker({ engine: false });
    const error = await startEphemeralPostgres({ major, tempDir, env: runner, docker }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoEphemeralPostgresError);
    expect((error as Error).message).toContain('docker cannot start a container (Cannot connect to the Docker daemon');
    expect(calls.map((c) => c.args[0])).toEqual(['version']);
  });

  describe('on a Linux runner with docker', () => {
    // Embedded 17 stands behind the fake docker's "container" when the machine lacks 17.
    let backingServer: PgServer | undefined;
    beforeAll(async () => {
      if (!installed.some((i) => i.major === 17)) backingServer = await startPostgres({ major: 17 });
    });
    afterAll(async () => {
      await backingServer?.stop();
    });

    it('a major missing locally comes from a postgres:<major> container', async (context) => {
      if (!backingServer) return context.skip('this machine has PostgreSQL 17 binaries, so no container is chosen');
      const { docker, removed } = fakeDocker({ backing: { port: backingServer.port, password: backingServer.password } });
      const server = await startEphemeralPostgres({ major: 17, tempDir, env: runner, docker });
      expect(server).toMatchObject({ kind: 'docker', major: 17 });
      expect(await serverMajor(server.url())).toBe(17);
      await server.stop();
      expect(removed()).toHaveLength(1);
    });

    it('local binaries of the exact major are used without asking docker', async () => {
      const { docker, calls } = fakeDocker();
      const server = await startEphemeralPostgres({ major: installed[0]!.major, tempDir, env: runner, docker });
      await server.stop();
      expect(server.kind).toBe('local');
      expect(calls).toEqual([]);
    });
  });
});
