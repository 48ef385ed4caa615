import { LifeboatError } from '../../report/errors.js';

/** A `paths` entry is missing, unreadable, outside `files-root`, or clashes with SHA256SUMS. */
export class FilesPathError extends LifeboatError {
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super('files-path', message, fix, options);
  }
}

/** The secret scan found something that looks like a secret, and `allow-secrets` is not set. */
export class FilesSecretError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('files-secret-found', message, fix);
  }
}

/** The archive does not hold what its SHA256SUMS says (a damaged or altered backup), or is not one of ours. */
export class FilesArchiveError extends LifeboatError {
  constructor(message: string, fix = 'The backup is damaged; use another backup id.') {
    super('files-archive-damaged', message, fix);
  }
}

/** The restore's `target-dir` is not an empty folder. */
export class FilesTargetError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('files-target-not-empty', message, fix);
  }
}

/** An operator check of a files backup is malformed. */
export class FilesCheckDefinitionError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('invalid-check', message, fix);
  }
}
