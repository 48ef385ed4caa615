import type pg from 'pg';
import { majorFromVersionNum } from '../../toolchain/version.js';
import { resolveConnection, withConnection, type PostgresConnection } from './connection.js';
import { DatabaseNotFoundError } from './errors.js';
import { countTableRows, listDumpedTables, type TableRef, type TableRows } from './tables.js';

type Env = Record<string, string | undefined>;

/** A connection given as a URL (PG* variables fill the gaps) or already resolved. */
export type ConnectionTarget = string | PostgresConnection;

/** What a server reports about itself and the connected database. */
export interface ServerInfo {
  /** `server_version` without the distribution suffix, e.g. `15.18`. */
  readonly version: string;
  readonly versionNum: number;
  /** `15`; `9.6` before 10. */
  readonly major: number;
  readonly database: string;
  /** pg_database_size of the connected database, in bytes. */
  readonly databaseSize: number;
}

/** Resolves a target to a connection (a URL is parsed; its password registered as a secret). */
export function toConnection(target: ConnectionTarget, env: Env = process.env): PostgresConnection {
  return typeof target === 'string' ? resolveConnection(target, env) : target;
}

/** Reads version and database size through an open client. */
export async function queryServerInfo(client: pg.ClientBase): Promise<ServerInfo> {
  const { rows } = await client.query<{ v: string; n: string; d: string; s: string }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n,
            current_database() AS d, pg_catalog.pg_database_size(current_database())::text AS s`,
  );
  const row = rows[0]!;
  const versionNum = Number(row.n);
  return {
    version: row.v.split(' ')[0]!,
    versionNum,
    major: majorFromVersionNum(versionNum),
    database: row.d,
    databaseSize: Number(row.s),
  };
}

/** Connects and reads the server's version and the database's size. */
export async function readServerInfo(target: ConnectionTarget, env?: Env): Promise<ServerInfo> {
  return withConnection(toConnection(target, env), queryServerInfo);
}

/** Databases that can be backed up: every one that allows connections, templates excepted. */
export async function listDatabases(target: ConnectionTarget, env?: Env): Promise<string[]> {
  return withConnection(toConnection(target, env), async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname',
    );
    return rows.map((r) => r.datname);
  });
}

/**
 * Which databases to back up: none given → the connection's own; `all` → every database
 * (each becomes its own backup); names → those, checked to exist.
 */
export async function resolveDatabases(target: ConnectionTarget, requested: readonly string[] | undefined, env?: Env): Promise<string[]> {
  const connection = toConnection(target, env);
  const names = (requested ?? []).map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) return [connection.database];
  const existing = await listDatabases(connection);
  if (names.length === 1 && names[0]!.toLowerCase() === 'all') return existing;
  const missing = names.filter((n) => !existing.includes(n));
  if (missing.length > 0) {
    throw new DatabaseNotFoundError(
      `Database${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')} not found on ${connection.host}:${connection.port}.`,
      `Existing databases: ${existing.join(', ') || '(none that allow connections)'}. Fix \`databases\`, or use \`all\`.`,
    );
  }
  return [...new Set(names)];
}

/**
 * The ordinary tables (and partitions) of a database, e.g. a restored one, that hold rows:
 * system schemas and extension-owned tables left out.
 */
export async function listTables(target: ConnectionTarget, env?: Env): Promise<TableRef[]> {
  return withConnection(toConnection(target, env), async (client) =>
    (await listDumpedTables(client, {})).map(({ schema, name }) => ({ schema, name })),
  );
}

/**
 * Exact row counts of `tables`, all read in one consistent snapshot; `rows` is `null` for a
 * table that does not exist there.
 */
export async function countRows(target: ConnectionTarget, tables: readonly TableRef[], env?: Env): Promise<TableRows[]> {
  return withConnection(toConnection(target, env), async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const { rows } = await client.query<{ i: number; present: boolean }>(
        `SELECT i - 1 AS i, pg_catalog.to_regclass(pg_catalog.quote_ident(s) || '.' || pg_catalog.quote_ident(n)) IS NOT NULL AS present
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(s, n, i)`,
        [tables.map((t) => t.schema), tables.map((t) => t.name)],
      );
      const present = new Set(rows.filter((r) => r.present).map((r) => Number(r.i)));
      const counted = await countTableRows(client, tables.filter((_, i) => present.has(i)));
      let next = 0;
      return tables.map((t, i) => (present.has(i) ? counted[next++]! : { schema: t.schema, name: t.name, rows: null }));
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  });
}
