import { LifeboatError } from '../../report/errors.js';

/** The command a controller runs to set the operator export secret (shown in fixes). */
export const SET_EXPORT_SECRET_COMMAND =
  "dfx canister call hub admin_set_operator_export_secret '(\"<secret>\")' --network ic";

/** The canister rejected the operator export key (401). */
export class CanisterAuthError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('canister-unauthorized', message, fix);
  }
}

/** The canister wants `X-Gateway-Auth` and got none or a wrong one (403 GATEWAY_AUTH_REQUIRED). */
export class CanisterGatewayAuthError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('canister-gateway-auth', message, fix);
  }
}

/** The operator export secret was never set on the canister (503 "not configured"). */
export class CanisterExportNotConfiguredError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('canister-export-not-configured', message, fix);
  }
}

/** A request failed for good: a status that is not retried, or retries exhausted. */
export class CanisterRequestError extends LifeboatError {
  /** HTTP status, or undefined when no response came (timeout, connection error). */
  readonly status: number | undefined;
  constructor(message: string, fix: string, status?: number, options?: { cause?: unknown }) {
    super('canister-request-failed', message, fix, options);
    this.status = status;
  }
}

/** The canister answered, but not in the documented shape. */
export class CanisterProtocolError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('canister-protocol', message, fix);
  }
}

/** A KTB1 (or plain JSON) export file of the reference tool is not one. */
export class Ktb1FormatError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('ktb1-invalid', message, fix);
  }
}

/** A KTB1 file did not decrypt: wrong key, or the file was altered or truncated. */
export class Ktb1DecryptError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('ktb1-decrypt-failed', message, fix);
  }
}

/** `dfx` is not installed where it was looked for. */
export class DfxMissingError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('dfx-missing', message, fix);
  }
}

/** `dfx` is older than the snapshot commands need. */
export class DfxVersionError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('dfx-too-old', message, fix);
  }
}

/** A snapshot step failed (stop, create, start or download); the message names every step that failed. */
export class CanisterSnapshotError extends LifeboatError {
  /** Snapshot ids taken before the failure, `canister → id`. */
  readonly taken: Readonly<Record<string, string>>;
  constructor(message: string, fix: string, taken: Readonly<Record<string, string>>) {
    super('canister-snapshot-failed', message, fix);
    this.taken = taken;
  }
}

/** A canister export archive cannot be read at all (missing file, unknown compression). */
export class CanisterArchiveError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('canister-archive-unreadable', message, fix);
  }
}

/** The compressor (zstd binary) failed. */
export class CompressionError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('compression-failed', message, fix);
  }
}
