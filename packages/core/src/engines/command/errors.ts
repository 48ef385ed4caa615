import { LifeboatError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';

/** Base of every command-engine failure: the message is redacted like all of Lifeboat's. */
export class CommandEngineError extends LifeboatError {
  constructor(code: string, message: string, fix?: string, options?: { cause?: unknown }) {
    super(code, redact(message), fix && redact(fix), options);
  }
}

/** A `command`, `count-command` or `restore-command` option that cannot be run as written. */
export class CommandDefinitionError extends CommandEngineError {
  constructor(message: string, fix?: string) {
    super('invalid-command', message, fix);
  }
}

/** A dump, count or restore command failed: non-zero exit, killed by a signal, or no output. */
export class CommandFailedError extends CommandEngineError {
  constructor(message: string, fix?: string) {
    super('command-failed', message, fix);
  }
}

/** A preset's source is one it cannot back up faithfully (a sharded MongoDB cluster). */
export class CommandSourceRefusedError extends CommandEngineError {
  constructor(message: string, fix?: string) {
    super('command-source-refused', message, fix);
  }
}
