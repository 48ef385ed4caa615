import { createHash } from 'node:crypto';
import { createWriteStream, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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

/** What a file looked like when opened: a later difference means it was changed while in use. */
interface FileState {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * One stored object, open on this machine with its bytes' size and SHA-256: the store's own
 * file read in place (local stores), or a copy downloaded into the work folder.
 */
export interface Fetched {
  readonly file: StoredFile;
  readonly bytes: number;
  readonly sha256: string;
  /** Open for reading; read it only at explicit positions; closeFetched closes it. */
  readonly handle: FileHandle;
  /** The downloaded copy's path; undefined when the store's own file is read in place. */
  readonly downloadedPath?: string;
  readonly opened: FileState;
}

/** Chunk size for reading stored files: large reads hash faster than the 64 KiB default. */
const READ_CHUNK = 1 << 20;

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

/**
 * Opens one object of a backup and hashes it. A store with local files is read where it lies
 * (no copy: the copy cost as long as gpg's decryption on a 1 GiB backup); any other store is
 * downloaded to `path` (mode 0600) first. The result stays open so that what is verified is
 * what gets decrypted: assertUnchanged checks it was not modified meanwhile.
 */
export async function fetchObject(
  store: Store,
  name: string,
  backupId: string,
  file: StoredFile,
  path: string,
  signal?: AbortSignal,
): Promise<Fetched> {
  const inPlace = await openInPlace(store, name, backupId, file);
  if (inPlace) {
    try {
      return await hashInPlace(inPlace, signal);
    } catch (error) {
      await inPlace.handle.close();
      throw error;
    }
  }
  const downloaded = await download(store, name, backupId, file, path, signal);
  const handle = await open(path, 'r');
  try {
    return { file, bytes: downloaded.bytes, sha256: downloaded.sha256, handle, downloadedPath: path, opened: stateOf(await handle.stat()) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A stored object open where it lies (local stores), not yet hashed. */
export type InPlace = Omit<Fetched, 'bytes' | 'sha256' | 'downloadedPath'>;

/**
 * Opens one object of a local store where it lies, without reading it, so that hashing can
 * run alongside decryption (hashInPlace); undefined for stores without local files.
 */
export async function openInPlace(store: Store, name: string, backupId: string, file: StoredFile): Promise<InPlace | undefined> {
  if (!store.openLocal) return undefined;
  const handle = await store.openLocal(backupObjectKey(name, backupId, file.file));
  try {
    return { file, handle, opened: stateOf(await handle.stat()) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A second handle on an object opened in place, for a reader that may close it (a decryption
 * stream closes its handle when it fails); refused like assertUnchanged when the store's file
 * is no longer the one first opened.
 */
export async function reopenInPlace(store: Store, name: string, backupId: string, inPlace: InPlace): Promise<InPlace> {
  const again = await openInPlace(store, name, backupId, inPlace.file);
  if (!again) throw new Error(`${inPlace.file.file} was opened in place, but the store has no local files.`);
  try {
    await assertUnchanged({ ...again, opened: inPlace.opened });
    return { ...again, opened: inPlace.opened };
  } catch (error) {
    await again.handle.close();
    throw error;
  }
}

/** Hashes an object opened in place (its handle's position stays put); the handle stays open. */
export async function hashInPlace(inPlace: InPlace, signal?: AbortSignal): Promise<Fetched> {
  const { bytes, sha256 } = await hashFile(inPlace.handle, signal);
  return { ...inPlace, bytes, sha256 };
}

/**
 * Refuses an object opened in place whose size already differs from the manifest's, before
 * anything reads it (the same message verifyDownloaded gives).
 */
export function verifyOpenedSize(inPlace: InPlace): void {
  const { file } = inPlace;
  const bytes = inPlace.opened.size;
  if (bytes !== file.size) verifyDownloaded({ file, bytes, sha256: '' });
}

/**
 * SHA-256 of the whole file, read at explicit positions (the handle's own position stays put)
 * into two reused buffers: the next read runs while the current chunk is hashed, and no
 * fresh memory is touched per chunk (a read stream allocates every chunk anew, about 40%
 * slower on 1 GiB here).
 */
async function hashFile(handle: FileHandle, signal: AbortSignal | undefined): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
  let position = 0;
  let current = 0;
  let pending = handle.read(buffers[0]!, 0, READ_CHUNK, 0);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      signal?.throwIfAborted();
      const chunk = buffers[current]!.subarray(0, bytesRead);
      position += bytesRead;
      current ^= 1;
      pending = handle.read(buffers[current]!, 0, READ_CHUNK, position);
      hash.update(chunk);
    }
  } catch (error) {
    await pending.catch(() => undefined);
    throw error;
  }
  return { bytes: position, sha256: hash.digest('hex') };
}

function stateOf(stats: Stats): FileState {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

/** Checks downloaded bytes against the manifest; throws VerificationError naming the object. */
export function verifyDownloaded(downloaded: Pick<Downloaded, 'file' | 'bytes' | 'sha256'>): void {
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

/** Checks a fetched object against the manifest, and that it was not changed while it was hashed. */
export async function verifyFetched(fetched: Fetched): Promise<void> {
  verifyDownloaded(fetched);
  await assertUnchanged(fetched);
}

/**
 * Throws VerificationError when the open file changed since it was opened (size, mtime or
 * ctime moved): the bytes read later might not be the bytes that were verified. The handle
 * keeps reading the file that was opened even if another is put under its name, but that
 * also moves its ctime (it was unlinked or renamed), and a store changing under a restore is
 * refused rather than reasoned about.
 */
export async function assertUnchanged(fetched: Pick<Fetched, 'file' | 'handle' | 'opened'>): Promise<void> {
  const now = stateOf(await fetched.handle.stat());
  const was = fetched.opened;
  const changed = (['size', 'mtimeMs', 'ctimeMs', 'ino', 'dev'] as const).filter((field) => now[field] !== was[field]);
  if (changed.length > 0) {
    throw new VerificationError(
      `${fetched.file.file} was changed in the store while it was being read (its ${changed.map((f) => f.replace(/Ms$/, '')).join(', ')} changed), so what was verified might not be what would be restored; it was not used.`,
      'Run again when nothing is writing to the store; nothing should modify a stored backup, so find out what did.',
    );
  }
}

/** The whole content of a small fetched object (a stats file), read at explicit positions. */
export async function readFetched(fetched: Fetched, limit = 16 * 1024 * 1024): Promise<Buffer> {
  if (fetched.bytes > limit) throw new VerificationError(`${fetched.file.file} is ${fetched.bytes} bytes, more than the ${limit} expected at most.`);
  const buffer = Buffer.alloc(fetched.bytes);
  for (let at = 0; at < buffer.length; ) {
    const { bytesRead } = await fetched.handle.read(buffer, at, buffer.length - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return buffer;
}

/** Closes fetched objects' files; never throws. */
export async function closeFetched(fetched: readonly Pick<Fetched, 'handle'>[]): Promise<void> {
  await Promise.all(fetched.map((f) => f.handle.close().catch(() => undefined)));
}
