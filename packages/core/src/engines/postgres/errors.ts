import { LifeboatError, OptionError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';

/** `database-url` (or a target URL) is not a usable PostgreSQL URL. */
export class DatabaseUrlError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('invalid-database-url', redact(message), fix ?? URL_FORM_FIX);
  }
}

/** Nothing answers at the host and port (refused, unknown host, timeout). */
export class DatabaseUnreachableError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('database-unreachable', redact(message), fix, options);
  }
}

/** The server refused the credentials (wrong password, unknown role, no pg_hba.conf entry). */
export class DatabaseAuthError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('database-auth-failed', redact(message), fix, options);
  }
}

/** The database named does not exist on the server. */
export class DatabaseNotFoundError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('database-not-found', redact(message), fix, options);
  }
}

/** Connecting failed for another reason (TLS, too many connections, server starting up). */
export class DatabaseConnectionError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('database-connection-failed', redact(message), fix, options);
  }
}

/** The role may connect but lacks a privilege the dump or the row counts need. */
export class DatabasePermissionError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('database-permission-denied', redact(message), fix, options);
  }
}

/** A PostgreSQL client program (pg_dump, pg_restore, ...) is not installed where expected. */
export class PostgresToolMissingError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('pg-tool-missing', redact(message), fix);
  }
}

/** pg_dump or pg_dumpall (or the tar that packs a directory dump) failed or was killed. */
export class DumpError extends LifeboatError {
  /** The program that failed, e.g. `pg_dump`. */
  readonly tool: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines of the program's stderr, redacted. */
  readonly stderrTail: string;

  constructor(
    details: { tool: string; exitCode: number | null; signal: NodeJS.Signals | null; stderrTail: string; message?: string },
    fix?: string,
  ) {
    const how = details.signal ? `was killed by ${details.signal}` : `exited with code ${details.exitCode}`;
    const said = details.stderrTail ? `: ${details.stderrTail}` : ' (no error output)';
    super('dump-failed', redact(withPeriod(details.message ?? `${details.tool} ${how}${said}`)), fix);
    this.tool = details.tool;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = redact(details.stderrTail);
  }
}

/** pg_dump is older than the server (pg_dump refuses a newer server's major). */
export class VersionMismatchError extends LifeboatError {
  readonly serverVersion: string;
  readonly clientVersion: string;
  readonly serverMajor: number;
  readonly clientMajor: number;

  constructor(server: { version: string; major: number }, client: { version: string; major: number }, tool = 'pg_dump') {
    const newer = server.major > client.major;
    super(
      'pg-version-mismatch',
      newer
        ? `${tool} ${client.version} cannot dump a PostgreSQL ${server.version} server: ${tool} must be of the server's major version or newer.`
        : `${tool} ${client.version} no longer supports PostgreSQL ${server.version} servers.`,
      newer
        ? `Use a ${tool} of major ${server.major} or newer: set \`postgres-client-version: ${server.major}\` (or install postgresql-client-${server.major}).`
        : `Use an older ${tool} that still supports PostgreSQL ${server.major} (set \`postgres-client-version\`), or upgrade the server.`,
    );
    this.serverVersion = server.version;
    this.clientVersion = client.version;
    this.serverMajor = server.major;
    this.clientMajor = client.major;
  }
}

/** The snapshot transaction or the row counts failed (e.g. a server that cannot export snapshots). */
export class SnapshotError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('snapshot-failed', redact(message), fix, options);
  }
}

/** A dump option the client cannot honour (e.g. zstd with pg_dump 15) or that would break the stream. */
export class DumpOptionError extends OptionError {}

const URL_FORM_FIX =
  'Use the form postgres://host:5432/database with `user:password@` before the host (percent-encode special characters in the password, e.g. `/` as %2F, `@` as %40), or leave it empty and set the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).';

function withPeriod(text: string): string {
  return /[.!?)]$/.test(text.trim()) ? text : `${text}.`;
}
