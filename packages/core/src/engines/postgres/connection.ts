import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { loadPg } from './pg-module.js';
import { childEnv } from '../../process/child-env.js';
import type { LifeboatError } from '../../report/errors.js';
import { registerSecret } from '../../report/secrets.js';
import {
  DatabaseAuthError,
  DatabaseConnectionError,
  DatabaseNotFoundError,
  DatabasePermissionError,
  DatabaseUnreachableError,
  DatabaseUrlError,
} from './errors.js';

type Env = Record<string, string | undefined>;

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * Where and as whom to connect, resolved once from a URL and/or the PG* variables. The same
 * values reach node-postgres (snapshots, counts) and the client programs (through their
 * environment, so the password is never on a command line).
 */
export interface PostgresConnection {
  /** Host name, IP address, or a Unix-socket folder (starts with `/`). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  readonly sslmode: SslMode;
  readonly sslrootcert?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  /** Seconds to wait for a connection. */
  readonly connectTimeout: number;
  readonly applicationName: string;
  /** Server options (`-c name=value ...`), as PGOPTIONS. */
  readonly options?: string;
}

/** URL query parameters understood, with the PG* variable each corresponds to. */
const PARAMS: Record<string, string> = {
  host: 'PGHOST',
  port: 'PGPORT',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  dbname: 'PGDATABASE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
};

const DEFAULT_CONNECT_TIMEOUT = 15;

/**
 * Resolves a connection from a `postgres://` URL (may be empty) and the PG* variables, the way
 * libpq does: values in the URL first, then the variables, then defaults. Registers the
 * password as a secret. Throws DatabaseUrlError for a malformed URL.
 */
export function resolveConnection(url: string | undefined, env: Env = process.env): PostgresConnection {
  const given: Record<string, string> = {};
  const trimmed = url?.trim();
  if (trimmed) {
    registerSecret(passwordInUrlText(trimmed));
    Object.assign(given, parseUrl(trimmed));
  }
  const pick = (param: string): string | undefined => {
    const value = given[param] ?? env[PARAMS[param]!];
    return value === undefined || value === '' ? undefined : value;
  };
  const host = pick('host') ?? 'localhost';
  if (host.includes(',')) {
    throw new DatabaseUrlError('Several hosts in one connection are not supported.', 'Give a single host (the primary, or the replica to dump from).');
  }
  const portText = pick('port') ?? '5432';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new DatabaseUrlError(`The port '${portText}' is not a number from 1 to 65535.`);
  }
  const sslmode = (pick('sslmode') ?? 'prefer').toLowerCase();
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new DatabaseUrlError(`sslmode '${sslmode}' is not one of ${SSL_MODES.join(', ')}.`, 'Set sslmode (or PGSSLMODE) to one of those values.');
  }
  const timeoutText = pick('connect_timeout');
  const connectTimeout = timeoutText === undefined ? DEFAULT_CONNECT_TIMEOUT : Number(timeoutText);
  if (!Number.isFinite(connectTimeout) || connectTimeout < 0) {
    throw new DatabaseUrlError(`connect_timeout '${timeoutText}' is not a number of seconds.`);
  }
  const password = pick('password');
  registerSecret(password);
  const user = pick('user') ?? defaultUser(env);
  return {
    host,
    port,
    user,
    ...(password !== undefined ? { password } : {}),
    database: pick('dbname') ?? user,
    sslmode: sslmode as SslMode,
    ...optional('sslrootcert', pick('sslrootcert')),
    ...optional('sslcert', pick('sslcert')),
    ...optional('sslkey', pick('sslkey')),
    connectTimeout,
    applicationName: pick('application_name') ?? 'lifeboat',
    ...optional('options', pick('options')),
  };
}

/** The same server and credentials, another database. */
export function connectionForDatabase(connection: PostgresConnection, database: string): PostgresConnection {
  return { ...connection, database };
}

/** `user@host:port/database` for messages: never the password. */
export function describeConnection(connection: PostgresConnection): string {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `${connection.user}@${host}:${connection.port}/${connection.database}`;
}

/** libpq settings a client may inherit from the runner besides the connection: where passwords and Kerberos tickets are. */
const INHERITED_LIBPQ = ['PGPASSFILE', 'PGGSSENCMODE', 'PGGSSLIB', 'PGKRBSRVNAME', 'KRB5CCNAME'];

/**
 * Environment for a client program: the allow-listed part of the base environment (never the
 * runner's secrets), plus this connection's PG* variables (PGPASSWORD included, so it stays
 * off the command line). Inherited connection variables are dropped.
 */
export function connectionEnv(connection: PostgresConnection, base: Env = process.env): Record<string, string> {
  const env = childEnv(base, Object.fromEntries(INHERITED_LIBPQ.filter((key) => base[key] !== undefined).map((key) => [key, base[key]])));
  env.PGHOST = connection.host;
  env.PGPORT = String(connection.port);
  env.PGUSER = connection.user;
  env.PGDATABASE = connection.database;
  env.PGSSLMODE = connection.sslmode;
  env.PGCONNECT_TIMEOUT = String(connection.connectTimeout);
  env.PGAPPNAME = connection.applicationName;
  if (connection.password !== undefined) env.PGPASSWORD = connection.password;
  if (connection.sslrootcert) env.PGSSLROOTCERT = connection.sslrootcert;
  if (connection.sslcert) env.PGSSLCERT = connection.sslcert;
  if (connection.sslkey) env.PGSSLKEY = connection.sslkey;
  if (connection.options) env.PGOPTIONS = connection.options;
  // Messages in English so that failures can be recognised.
  env.LC_MESSAGES = 'C';
  return env;
}

/**
 * The connection as a `postgres://` URL (password included, registered as a secret), for a
 * program that reaches a restored database, e.g. a stack's after-restore service.
 */
export function connectionUrl(connection: PostgresConnection): string {
  const auth = `${encodeURIComponent(connection.user)}${connection.password !== undefined ? `:${encodeURIComponent(connection.password)}` : ''}@`;
  const socket = connection.host.startsWith('/');
  const host = socket ? 'localhost' : connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const params = new URLSearchParams();
  if (socket) params.set('host', connection.host);
  if (connection.sslmode !== 'prefer') params.set('sslmode', connection.sslmode);
  const query = params.size > 0 ? `?${params.toString()}` : '';
  const url = `postgres://${auth}${host}:${connection.port}/${encodeURIComponent(connection.database)}${query}`;
  registerSecret(url);
  return url;
}

/** A libpq connection string naming only the database, for `-d`/`--dbname` (no password). */
export function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Opens a node-postgres connection; failures become the LifeboatError for their cause
 * (unreachable, authentication, missing database, TLS), with the password redacted.
 */
export async function connect(connection: PostgresConnection): Promise<pg.Client> {
  const { Client } = await loadPg();
  const attempt = async (ssl: false | ConnectionOptions) => {
    const client = new Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      // Undefined: node-postgres falls back to PGPASSWORD, then ~/.pgpass, as libpq does.
      password: connection.password,
      database: connection.database,
      ssl,
      application_name: connection.applicationName,
      ...(connection.options ? { options: connection.options } : {}),
      connectionTimeoutMillis: connection.connectTimeout * 1000,
    });
    // An error after connecting (server shutdown) must not crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  const mode = connection.sslmode;
  try {
    if (mode === 'disable' || mode === 'allow') return await attempt(false);
    try {
      return await attempt(tlsOptions(connection));
    } catch (error) {
      // libpq's `prefer` falls back to a plain connection when the server has no TLS.
      if (mode === 'prefer' && /does not support SSL/i.test(String((error as Error).message))) return await attempt(false);
      throw error;
    }
  } catch (error) {
    throw connectionError(error, connection);
  }
}

/** Runs `fn` with a connection that is always closed afterwards. */
export async function withConnection<T>(connection: PostgresConnection, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(connection);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Maps a node-postgres connection failure to the error an operator can act on. */
export function connectionError(error: unknown, connection: PostgresConnection): LifeboatError {
  const err = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = err.code ?? err.errors?.find((e) => e.code)?.code;
  const message = err.message || (err.errors ? 'connection failed' : String(error));
  const where = describeConnection(connection);
  const options = { cause: error };
  switch (code) {
    case '28P01':
      return new DatabaseAuthError(
        `PostgreSQL refused the password for user '${connection.user}' at ${where}.`,
        'Check the password in the URL (or PGPASSWORD) and that the role may log in.',
        options,
      );
    case '28000':
      return new DatabaseAuthError(
        `PostgreSQL refused the connection as '${connection.user}' at ${where}: ${message}.`,
        /pg_hba/.test(message)
          ? 'Add a pg_hba.conf entry for this client, user and database (or use sslmode=require if the entry is hostssl).'
          : 'Check the user name and that the role exists and may log in.',
        options,
      );
    case '3D000':
      return new DatabaseNotFoundError(
        `Database '${connection.database}' does not exist on ${connection.host}:${connection.port}.`,
        'Check the database name at the end of the URL (or PGDATABASE); list databases with `psql -l`.',
        options,
      );
    case '42501':
      return new DatabasePermissionError(
        `User '${connection.user}' may not connect to database '${connection.database}': ${message}.`,
        'GRANT CONNECT ON DATABASE to the role, or use a role that has it.',
        options,
      );
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOENT':
      return new DatabaseUnreachableError(
        `Cannot reach PostgreSQL at ${connection.host}:${connection.port} (${unreachableReason(code)}).`,
        'Check the host and port, that the server is running and accepts TCP connections (listen_addresses), and that no firewall blocks it.',
        options,
      );
  }
  if (/timeout/i.test(message)) {
    return new DatabaseUnreachableError(
      `PostgreSQL at ${connection.host}:${connection.port} did not answer within ${connection.connectTimeout}s.`,
      'Check the host and port and that no firewall drops the traffic; raise connect_timeout for slow networks.',
      options,
    );
  }
  if (/SSL|TLS|certificate|self.signed/i.test(message) || /CERT|SSL|TLS/.test(code ?? '')) {
    return new DatabaseConnectionError(
      `TLS with PostgreSQL at ${connection.host}:${connection.port} failed: ${message}.`,
      'Check sslmode and sslrootcert (verify-ca/verify-full need the server CA), or enable SSL on the server.',
      options,
    );
  }
  return new DatabaseConnectionError(`Connecting to PostgreSQL at ${where} failed: ${message}.`, undefined, options);
}

/**
 * Recognises a connection failure in a client program's stderr (libpq's wording) and returns
 * the same error node-postgres would have produced; undefined when it is something else.
 */
export function connectionErrorFromStderr(stderr: string, connection: PostgresConnection): LifeboatError | undefined {
  const where = describeConnection(connection);
  if (/password authentication failed|no password supplied|SCRAM authentication/i.test(stderr)) {
    return connectionError({ code: '28P01', message: 'password authentication failed' }, connection);
  }
  if (/no pg_hba\.conf entry/i.test(stderr)) return connectionError({ code: '28000', message: 'no pg_hba.conf entry' }, connection);
  const role = /role "([^"]*)" does not exist/.exec(stderr);
  if (role) return connectionError({ code: '28000', message: `role "${role[1]}" does not exist` }, connection);
  if (/database "[^"]*" does not exist/.test(stderr)) return connectionError({ code: '3D000' }, connection);
  if (/Connection refused|could not translate host name|No route to host|Network is unreachable|No such file or directory\s+Is the server running/i.test(stderr)) {
    return connectionError({ code: 'ECONNREFUSED' }, connection);
  }
  if (/timeout expired/i.test(stderr)) return connectionError({ message: 'timeout' }, connection);
  if (/server does not support SSL|SSL error|certificate verify failed/i.test(stderr)) {
    return connectionError({ code: 'SSL', message: firstLine(stderr) }, connection);
  }
  if (/permission denied for database/i.test(stderr)) {
    return connectionError({ code: '42501', message: `permission denied for database at ${where}` }, connection);
  }
  return undefined;
}

function parseUrl(text: string): Record<string, string> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new DatabaseUrlError(
      scheme ? `The database URL has scheme '${scheme}:'; expected postgres:// or postgresql://.` : 'The database URL does not start with postgres:// or postgresql://.',
    );
  }
  if (/^[a-z]+:\/\/[^/?#]*,/i.test(text)) {
    throw new DatabaseUrlError('Several hosts in one connection URL are not supported.', 'Give a single host (the primary, or the replica to dump from).');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseUrlError('The database URL is malformed (the host, port or an unescaped character in the password cannot be read).');
  }
  const out: Record<string, string> = {};
  try {
    const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
    if (host) out.host = host;
    if (url.port) out.port = url.port;
    if (url.username) out.user = decodeURIComponent(url.username);
    if (url.password) out.password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database.includes('/')) throw new DatabaseUrlError(`The database URL's path '/${database}' is not a single database name.`);
    if (database) out.dbname = database;
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw error;
    throw new DatabaseUrlError('The database URL has a malformed %-escape in the user, password or database name.');
  }
  for (const [key, value] of url.searchParams) {
    if (!(key in PARAMS)) {
      throw new DatabaseUrlError(
        `The database URL has the parameter '${key}', which Lifeboat does not pass on.`,
        `Remove it; supported parameters: ${Object.keys(PARAMS).join(', ')}.`,
      );
    }
    out[key] = value;
  }
  return out;
}

/** The password as written in URL text, found without a full parse (for redaction before errors). */
function passwordInUrlText(text: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/@?#]*:(.*)@[^@]*$/is.exec(text.split(/[?#]/)[0]!);
  return match?.[1] || undefined;
}

function tlsOptions(connection: PostgresConnection): ConnectionOptions {
  const read = (path: string | undefined) => (path ? readFileSync(path, 'utf8') : undefined);
  const verify = connection.sslmode === 'verify-ca' || connection.sslmode === 'verify-full';
  const options: ConnectionOptions = { rejectUnauthorized: verify };
  const ca = read(connection.sslrootcert);
  const cert = read(connection.sslcert);
  const key = read(connection.sslkey);
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  // verify-ca checks the chain but not the host name.
  if (connection.sslmode === 'verify-ca') options.checkServerIdentity = () => undefined;
  return options;
}

function unreachableReason(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ENOENT':
      return 'no such socket';
    default:
      return code.toLowerCase();
  }
}

function defaultUser(env: Env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'postgres';
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
