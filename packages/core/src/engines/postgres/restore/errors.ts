import { LifeboatError } from '../../../report/errors.js';
import { redact } from '../../../report/secrets.js';

/**
 * The target server is an older major than the one the dump came from: found by the client
 * choice before pg_restore starts, or from the archive's own header. `text` replaces the
 * default message and fix (the client choice words its own).
 */
export class TargetTooOldError extends LifeboatError {
  readonly dumpServerMajor: number;
  readonly targetMajor: number;

  constructor(dump: { major: number; version?: string }, target: { major: number; version: string }, text?: { message: string; fix: string }) {
    super(
      'restore-target-too-old',
      text?.message ??
        `The backup was dumped from PostgreSQL ${dump.version ?? dump.major}, but the target runs PostgreSQL ${target.version}; a dump does not restore into an older major.`,
      text?.fix ?? `Restore into PostgreSQL ≥ ${dump.major} (e.g. a postgres:${dump.major} service container).`,
    );
    this.dumpServerMajor = dump.major;
    this.targetMajor = target.major;
  }
}

/** pg_restore is older than the pg_dump that wrote the archive. */
export class RestoreClientTooOldError extends LifeboatError {
  readonly requiredMajor: number;

  constructor(message: string, requiredMajor: number) {
    super(
      'pg-restore-too-old',
      redact(message),
      `Use pg_restore ${requiredMajor} or newer: set \`postgres-client-version: ${requiredMajor}\` (or install postgresql-client-${requiredMajor}).`,
    );
    this.requiredMajor = requiredMajor;
  }
}

/** The file is neither a pg_dump custom archive nor a tar of a directory dump. */
export class ArchiveFormatError extends LifeboatError {
  constructor(message: string, fix = 'Restore a Lifeboat PostgreSQL payload (db.pgdump or db.pgdump.tar), decrypted.') {
    super('invalid-archive', redact(message), fix);
  }
}

/** pg_restore failed, was killed, or ignored more errors than allowed. */
export class RestoreError extends LifeboatError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Error messages pg_restore reported (redacted). */
  readonly errors: readonly string[];

  constructor(
    message: string,
    details: { exitCode: number | null; signal: NodeJS.Signals | null; errors?: readonly string[] },
    fix?: string,
  ) {
    super('restore-failed', redact(/[.!?)]$/.test(message.trim()) ? message : `${message}.`), fix);
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.errors = details.errors ?? [];
  }
}
