import { LifeboatError } from '../report/errors.js';

/** Encryption is on (the default) but neither recipients nor a passphrase were given. */
export class NoEncryptionKeyError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('no-encryption-key', message, fix);
  }
}

/** Why a public key (a recipient, or a key that verifies signatures) was refused. */
export type PublicKeyProblem =
  | 'unreadable'
  | 'missing-file'
  | 'private-key'
  | 'expired'
  | 'revoked'
  | 'no-encryption-subkey'
  | 'unsupported-version'
  | 'weak-key';

/** A public key cannot be used; `problem` says why, the message names the key (never a secret). */
export class PublicKeyError extends LifeboatError {
  readonly problem: PublicKeyProblem;
  constructor(problem: PublicKeyProblem, message: string, fix: string) {
    super(`public-key-${problem}`, message, fix);
    this.problem = problem;
  }
}

/** A passphrase that cannot be used as given (e.g. one gpg could never be given at restore). */
export class PassphraseError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('invalid-passphrase', message, fix);
  }
}

/** Nothing was given to decrypt with: no identity and no passphrase. */
export class NoDecryptionKeyError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('no-decryption-key', message, fix);
  }
}

/** The private key in `identity` (or a signing key) is unreadable, public only, or missing. */
export class PrivateKeyError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('invalid-private-key', message, fix);
  }
}

/** A private key is protected and its passphrase is missing or wrong. */
export class KeyPassphraseError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('wrong-key-passphrase', message, fix);
  }
}

/** The message is encrypted to keys (or a passphrase) other than the ones given. */
export class WrongKeyError extends LifeboatError {
  /** Key ids (16 hex) the message is encrypted to. */
  readonly messageKeyIds: string[];
  constructor(message: string, fix: string, messageKeyIds: string[]) {
    super('wrong-decryption-key', message, fix);
    this.messageKeyIds = messageKeyIds;
  }
}

/** The symmetric passphrase does not decrypt the message. */
export class WrongPassphraseError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('wrong-passphrase', message, fix);
  }
}

/** The ciphertext was modified or damaged: the OpenPGP integrity check failed. */
export class IntegrityError extends LifeboatError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('integrity-check-failed', message, fix, options);
  }
}

/** The message ends before its last packet does. */
export class TruncatedMessageError extends LifeboatError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('truncated-message', message, fix, options);
  }
}

/** The input is not an encrypted OpenPGP message at all. */
export class NotOpenPGPMessageError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('not-openpgp-message', message, fix);
  }
}

/** Why a detached signature was not accepted. */
export type SignatureProblem = 'unreadable' | 'unknown-key' | 'mismatch' | 'key-unusable' | 'no-keys' | 'unsigned';

/** A detached signature does not verify; `problem` says why. */
export class SignatureError extends LifeboatError {
  readonly problem: SignatureProblem;
  constructor(problem: SignatureProblem, message: string, fix: string, options?: { cause?: unknown }) {
    super(`signature-${problem}`, message, fix, options);
    this.problem = problem;
  }
}

/** The input is not an age v1 file, or its header is not one age writes. */
export class NotAgeFileError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('not-age-file', message, fix);
  }
}
