import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { backupObjectKey } from '../catalog/layout.js';
import type { StoredFile } from '../catalog/manifest.js';
import { HashCounter } from '../pipeline/stages.js';
import type { Store } from '../storage/store.js';
import { VerificationError } from './errors.js';

/** Size and SHA-256 of downloaded bytes. */
export interface Downloaded {
  readonly file: StoredFile;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Downloads one object of a backup to `path` (mode 0600), hashing as it goes. */
export async function download(
  store: Store,
  name: string,
  backupId: string,
  file: StoredFile,
  path: string,
  signal?: AbortSignal,
): Promise<Downloaded> {
  const hash = new HashCounter();
  await pipeline(await store.get(backupObjectKey(name, backupId, file.file)), hash, createWriteStream(path, { mode: 0o600 }), { signal });
  return { file, path, bytes: hash.bytes, sha256: hash.sha256() };
}

/** Checks downloaded bytes against the manifest; throws VerificationError naming the object. */
export function verifyDownloaded(downloaded: Downloaded): void {
  const { file, bytes, sha256 } = downloaded;
  if (bytes !== file.size) {
    const how = bytes < file.size ? 'truncated' : 'longer than recorded';
    throw new VerificationError(`${file.file} is ${how}: ${bytes} bytes stored, the manifest records ${file.size}.`);
  }
  if (sha256 !== file.sha256) {
    throw new VerificationError(
      `${file.file} does not match its manifest: SHA-256 ${sha256} stored, ${file.sha256} recorded; the object is corrupted or was altered.`,
    );
  }
}
