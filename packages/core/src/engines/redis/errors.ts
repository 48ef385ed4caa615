import { LifeboatError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';

/** Base of every Redis failure: the message is redacted like all of Lifeboat's. */
export class RedisError extends LifeboatError {
  constructor(code: string, message: string, fix?: string, options?: { cause?: unknown }) {
    super(code, redact(message), fix, options);
  }
}

/** `redis-url` (or a target URL) is not a usable Redis URL. */
export class RedisUrlError extends RedisError {
  constructor(message: string, fix?: string) {
    super(
      'invalid-redis-url',
      message,
      fix ??
        'Use redis://[user:password@]host:6379 (rediss:// for TLS), percent-encoding special characters in the password (`/` as %2F, `@` as %40).',
    );
  }
}

/** Nothing answers at the host and port (refused, unknown host, timeout). */
export class RedisUnreachableError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-unreachable', message, fix, options);
  }
}

/** The server refused the user name or password (WRONGPASS), or the user is disabled. */
export class RedisAuthError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-auth-failed', message, fix, options);
  }
}

/** The server wants a password and none was given (NOAUTH). */
export class RedisNoAuthError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-noauth', message, fix, options);
  }
}

/** The user may connect but lacks a permission a command needs (NOPERM), outside replication. */
export class RedisPermissionError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-permission-denied', message, fix, options);
  }
}

/** The server refuses to send its snapshot over replication (ACL, managed service, replica without master). */
export class RedisReplicationRefusedError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-replication-refused', message, fix, options);
  }
}

/** The server is still loading its dataset and answers LOADING. */
export class RedisLoadingError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-loading', message, fix, options);
  }
}

/** The connection closed while the snapshot was being sent (output-buffer limit, repl-timeout, restart). */
export class RedisSnapshotCutError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-snapshot-cut', message, fix, options);
  }
}

/** The snapshot's bytes are not a whole RDB: it ends short, its checksum differs, or it does not parse. */
export class RedisSnapshotCorruptError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-snapshot-corrupt', message, fix, options);
  }
}

/** TLS failed: unknown CA, wrong host name, expired certificate, TLS spoken to a plain port. */
export class RedisTlsError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-tls-failed', message, fix, options);
  }
}

/** The server answered something the protocol does not allow at that point. */
export class RedisProtocolError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-protocol-error', message, fix, options);
  }
}

/** A command failed in a way none of the other errors describe. */
export class RedisCommandError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-command-failed', message, fix, options);
  }
}

/** A keys-mode record file is damaged or not a record file. */
export class RedisRecordFileError extends RedisError {
  constructor(message: string, fix?: string) {
    super('redis-record-file-invalid', message, fix ?? 'The backup is damaged; use another backup id.');
  }
}

/** The restore target already holds keys; Lifeboat never mixes a backup into existing data. */
export class RedisTargetNotEmptyError extends RedisError {
  constructor(message: string, fix?: string) {
    super('redis-target-not-empty', message, fix);
  }
}

/** No redis-server that can load the backup (missing, older major, no docker). */
export class RedisServerUnavailableError extends RedisError {
  constructor(message: string, fix?: string) {
    super('redis-server-unavailable', message, fix);
  }
}

/** A throwaway redis-server did not start or did not load the snapshot. */
export class RedisServerStartError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-server-start-failed', message, fix, options);
  }
}

/** Restoring keys into a server failed (RESTORE errors, a version the target cannot read). */
export class RedisRestoreError extends RedisError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('redis-restore-failed', message, fix, options);
  }
}

/** An operator check is malformed or not read-only. */
export class RedisCheckDefinitionError extends RedisError {
  constructor(message: string, fix?: string) {
    super('invalid-redis-check', message, fix);
  }
}
