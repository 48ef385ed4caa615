import { LifeboatError } from '../report/errors.js';

/** No complete backup matches what was asked for. */
export class NoBackupError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('no-backup', message, fix);
  }
}

/** A stored object does not match its manifest: truncated, corrupted or tampered with. */
export class VerificationError extends LifeboatError {
  constructor(message: string, fix = 'Do not use this backup; drill or restore another backup id, and check the store for tampering.') {
    super('verification-failed', message, fix);
  }
}

/** The restore target cannot be used as asked. */
export class RestoreTargetError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('restore-target', message, fix);
  }
}
