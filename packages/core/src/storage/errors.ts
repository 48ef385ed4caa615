import { LifeboatError } from '../report/errors.js';

/** A store refused or failed an operation; subclasses name the kinds an operator can act on. */
export class StorageError extends LifeboatError {
  constructor(code: string, message: string, fix?: string, options?: { cause?: unknown }) {
    super(code, message, fix, options);
  }
}

/** `get` of a key that does not exist. */
export class ObjectNotFoundError extends StorageError {
  constructor(readonly key: string, location: string, options?: { cause?: unknown }) {
    super(
      'object-not-found',
      `No object '${key}' in ${location}.`,
      'Check `store` and `name`, and that the backup was not pruned or expired.',
      options,
    );
  }
}

/** A key that is not a plain relative `a/b/c` path. */
export class InvalidKeyError extends StorageError {
  constructor(key: string, reason: string) {
    super(
      'invalid-key',
      `Invalid storage key '${key}': ${reason}.`,
      'Keys are relative paths with `/` separators and no empty, `.` or `..` segments.',
    );
  }
}

/** The disk (or quota) holding a local store is full. */
export class StorageFullError extends StorageError {
  constructor(folder: string, key: string, options?: { cause?: unknown }) {
    super(
      'storage-full',
      `No space left in ${folder} while writing '${key}'; the partial file was removed.`,
      'Free space on that disk or choose another store.',
      options,
    );
  }
}

/** The operating system refused access to a local store's folder. */
export class StoragePermissionError extends StorageError {
  constructor(folder: string, action: string, options?: { cause?: unknown }) {
    super(
      'storage-permission-denied',
      `Permission denied to ${action} in ${folder}.`,
      'Make the folder readable and writable by the user running Lifeboat, or choose another store.',
      options,
    );
  }
}

/** The store could not be reached at all (refused, unknown host, timed out). */
export class StoreUnreachableError extends StorageError {
  constructor(
    endpoint: string,
    detail: string,
    options?: { cause?: unknown },
    fix = 'Check `s3-endpoint` (or that the region exists), DNS and the network path from this machine.',
  ) {
    super('store-unreachable', `Cannot reach the store at ${endpoint} (${detail}).`, fix, options);
  }
}

/** The store holds a different number of bytes than were sent. */
export class StoredSizeMismatchError extends StorageError {
  constructor(key: string, location: string, sent: number, stored: number | undefined) {
    super(
      'stored-size-mismatch',
      `After uploading '${key}' to ${location}, the store reports ${stored ?? 'no'} bytes where ${sent} were sent; the object was removed.`,
      'Retry; if it persists, the store (or a proxy in front of it) alters uploads: check `s3-endpoint`.',
    );
  }
}

/** The caller cancelled an upload; nothing was left under the key. */
export class UploadCancelledError extends StorageError {
  constructor(key: string, location: string, options?: { cause?: unknown }) {
    super('upload-cancelled', `The upload of '${key}' to ${location} was cancelled; nothing was stored.`, undefined, options);
  }
}

/** The folder `store` names does not exist (and `create-store` is off). */
export class StoreFolderMissingError extends StorageError {
  constructor(readonly folder: string) {
    super(
      'store-folder-missing',
      `The store folder ${folder} does not exist.`,
      `Check \`store\` for a typo; create the folder (\`mkdir -p ${folder}\`), or set \`create-store: true\` to have the backup create it.`,
    );
  }
}

/** Something other than a folder stands where the store's folder should be. */
export class StoreNotAFolderError extends StorageError {
  constructor(folder: string, blocker: string, options?: { cause?: unknown }) {
    super(
      'store-not-a-folder',
      blocker === folder ? `The store ${folder} is a file, not a folder.` : `The store ${folder} cannot be a folder: ${blocker} is a file.`,
      'Point `store` at a folder, or move the file out of the way.',
      options,
    );
  }
}

/** The probe object came back different, or could not be written, read or removed. */
export class StoreProbeError extends StorageError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('store-probe-failed', message, fix, options);
  }
}
