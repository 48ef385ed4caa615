import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, parse, sep } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DeleteResult, ProbeOptions, ProbeResult, PutOptions, PutResult, Store, StoredObject } from '../store.js';
import {
  ObjectNotFoundError,
  StorageError,
  StorageFullError,
  StoragePermissionError,
  StoreFolderMissingError,
  StoreNotAFolderError,
  UploadCancelledError,
} from '../errors.js';
import { writeProbe } from '../probe.js';
import { checkKey, checkPrefix } from '../keys.js';
import { anySignal } from '../signals.js';
import { consumeOrDestroy } from '../body.js';

/** Temp files sit beside their target as `.<name>.<12 hex>.partial`; listings skip them. */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.partial$/;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Writes a whole buffer: a regular file may take fewer bytes per call near a full disk. */
async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes buffers in order with one call per batch: encryption emits many small chunks (packet
 * headers, 64 KiB parts), and one write call each cost a second of the main thread per GiB.
 */
async function writeAllv(handle: FileHandle, buffers: Buffer[], total: number): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten === total) return;
  // A short write (near a full disk): the rest one buffer at a time, so the next call names the error.
  let skip = bytesWritten;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    await writeAll(handle, buffer.subarray(skip));
    skip = 0;
  }
}

/** Makes a rename durable; some platforms cannot fsync a folder, and then there is nothing to do. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM on platforms without directory fsync
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * A store in a folder. Objects are files at their key's path. `put` writes a temp file in the
 * target's folder, fsyncs it and renames it into place, so a file under a final name is
 * always complete; any failure removes the temp file.
 */
export class LocalStore implements Store {
  readonly kind = 'local' as const;
  readonly location: string;

  constructor(
    readonly folder: string,
    private readonly signal?: AbortSignal,
  ) {
    this.location = folder;
  }

  private pathOf(key: string): string {
    return join(this.folder, ...checkKey(key).split('/'));
  }

  /** The operator's view of a failed file operation. */
  private fsError(error: unknown, key: string, action: string): StorageError {
    switch (codeOf(error)) {
      case 'ENOSPC':
      case 'EDQUOT':
        return new StorageFullError(this.folder, key, { cause: error });
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new StoragePermissionError(this.folder, action, { cause: error });
      default:
        return new StorageError(
          'local-store-failed',
          `Could not ${action} '${key}' in ${this.folder}: ${(error as Error)?.message ?? String(error)}.`,
          'Check that the folder exists as a folder (not a file) and is usable by the user running Lifeboat.',
          { cause: error },
        );
    }
  }

  /**
   * Checks the store's folder: it must exist (or is created with `create`), be a folder and
   * be readable and writable; with `write`, a probe file is written, read back and removed.
   */
  async probe(options: ProbeOptions = {}): Promise<ProbeResult> {
    const notes: string[] = [];
    let isFolder: boolean;
    try {
      isFolder = (await stat(this.folder)).isDirectory();
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOTDIR') throw new StoreNotAFolderError(this.folder, await this.fileInTheWay(), { cause: error });
      if (code !== 'ENOENT') throw this.fsError(error, '.', 'open the store folder');
      if (!options.create) throw new StoreFolderMissingError(this.folder);
      try {
        await mkdir(this.folder, { recursive: true });
      } catch (made) {
        throw codeOf(made) === 'ENOTDIR' || codeOf(made) === 'EEXIST'
          ? new StoreNotAFolderError(this.folder, await this.fileInTheWay(), { cause: made })
          : this.fsError(made, '.', 'create the store folder');
      }
      notes.push(`Created the store folder ${this.folder} (\`create-store: true\`).`);
      isFolder = true;
    }
    if (!isFolder) throw new StoreNotAFolderError(this.folder, this.folder);
    try {
      await access(this.folder, options.readOnly ? constants.R_OK | constants.X_OK : constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new StoragePermissionError(this.folder, options.readOnly ? 'read' : 'read and write', { cause: error });
    }
    if (options.write) await writeProbe(this);
    return { notes };
  }

  /** The nearest ancestor of the store folder that exists, when it is a file. */
  private async fileInTheWay(): Promise<string> {
    let path = dirname(this.folder);
    while (path !== parse(path).root) {
      try {
        if (!(await stat(path)).isDirectory()) return path;
        break;
      } catch {
        path = dirname(path);
      }
    }
    return this.folder;
  }

  /** Creates the folder and an exclusive temp file; retries once if a concurrent delete pruned the folder. */
  private async openTemp(folder: string, temp: string): Promise<FileHandle> {
    for (let attempt = 0; ; attempt++) {
      await mkdir(folder, { recursive: true });
      try {
        return await open(temp, 'wx');
      } catch (error) {
        if (codeOf(error) !== 'ENOENT' || attempt > 0) throw error;
      }
    }
  }

  /** Streams `body` into a temp file, fsyncs it, renames it to `key`; removes the temp file on any failure. */
  put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    return consumeOrDestroy(body, () => this.write(key, body, options));
  }

  private async write(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    const target = this.pathOf(key);
    const folder = dirname(target);
    const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
    const signal = anySignal(options.signal, this.signal);
    let handle: FileHandle | undefined;
    let written = 0;
    let writeFailure: unknown;
    try {
      try {
        handle = await this.openTemp(folder, temp);
      } catch (error) {
        throw this.fsError(error, key, 'create a file for');
      }
      const file = handle;
      // A sink of our own, so a write error is told apart from an error of the input stream.
      /** Counts what a write stored, or keeps its error to tell it apart from the input's. */
      const track = (writing: Promise<void>, length: number, done: (error?: Error | null) => void) =>
        writing.then(
          () => {
            written += length;
            done();
          },
          (error: unknown) => {
            writeFailure = error;
            done(error as Error);
          },
        );
      const sink = new Writable({
        highWaterMark: 1024 * 1024,
        write(chunk: Buffer, _encoding, done) {
          track(writeAll(file, chunk), chunk.length, done);
        },
        writev(chunks, done) {
          const buffers = chunks.map((c) => c.chunk as Buffer);
          const length = buffers.reduce((n, b) => n + b.length, 0);
          track(writeAllv(file, buffers, length), length, done);
        },
      });
      try {
        await pipeline(body, sink, signal ? { signal } : {});
      } catch (error) {
        if (writeFailure !== undefined && error === writeFailure) throw this.fsError(error, key, 'write');
        if (signal?.aborted) throw new UploadCancelledError(key, this.location, { cause: error });
        throw error; // the input's own failure, unchanged
      }
      try {
        await file.sync();
        await file.close();
        handle = undefined;
        await rename(temp, target);
      } catch (error) {
        throw this.fsError(error, key, 'finish writing');
      }
      await syncFolder(folder);
    } catch (error) {
      await handle?.close().catch(() => {});
      await rm(temp, { force: true }).catch(() => {});
      throw error;
    }
    // Every byte was written and fsynced before the rename: that count is what the file holds.
    return { key, size: written };
  }

  /** Opens the file for reading; ObjectNotFoundError when there is none. */
  async get(key: string): Promise<Readable> {
    return (await this.openLocal(key)).createReadStream();
  }

  /** The object's file, open for reading where it lies; ObjectNotFoundError when there is none. */
  async openLocal(key: string): Promise<FileHandle> {
    const path = this.pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(codeOf(error) ?? '')) {
        throw new ObjectNotFoundError(key, this.location, { cause: error });
      }
      throw this.fsError(error, key, 'read');
    }
    let isFile: boolean;
    try {
      isFile = (await handle.stat()).isFile();
    } catch (error) {
      await handle.close();
      throw this.fsError(error, key, 'read');
    }
    if (!isFile) {
      await handle.close();
      throw new ObjectNotFoundError(key, this.location);
    }
    return handle;
  }

  /** The file's size and mtime, or undefined when there is no file at `key`. */
  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(codeOf(error) ?? '')) return undefined;
      throw this.fsError(error, key, 'read');
    }
  }

  /** Every file under `prefix`, walking only the folders the prefix can reach. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    checkPrefix(prefix);
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    yield* this.walk(join(this.folder, ...base.split('/').filter(Boolean)), base, prefix);
  }

  private async *walk(folder: string, keyPrefix: string, wanted: string): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(codeOf(error) ?? '')) return;
      throw this.fsError(error, keyPrefix || '.', 'list');
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) {
        // Descend only where keys below can still start with the prefix.
        if (wanted.startsWith(`${key}/`) || key.startsWith(wanted)) {
          yield* this.walk(join(folder, entry.name), `${key}/`, wanted);
        }
        continue;
      }
      if (TEMP_FILE.test(entry.name) || !key.startsWith(wanted)) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      try {
        const info = await stat(join(folder, entry.name));
        if (info.isFile()) yield { key, size: info.size, lastModified: info.mtime };
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw this.fsError(error, key, 'list');
      }
    }
  }

  /** Removes files (a missing one counts as deleted) and then folders left empty. */
  async delete(keys: readonly string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], failed: [] };
    const folders = new Set<string>();
    for (const key of keys) {
      let path: string;
      try {
        path = this.pathOf(key);
      } catch (error) {
        result.failed.push({ key, reason: (error as Error).message });
        continue;
      }
      try {
        await unlink(path);
        result.deleted.push(key);
        folders.add(dirname(path));
      } catch (error) {
        const code = codeOf(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') result.deleted.push(key);
        else result.failed.push({ key, reason: `${(error as Error).message}` });
      }
    }
    await this.pruneEmptyFolders(folders);
    return result;
  }

  /** Removes now-empty folders up to (not including) the store's own folder. */
  private async pruneEmptyFolders(folders: Set<string>): Promise<void> {
    const deepestFirst = [...folders].sort((a, b) => b.length - a.length);
    for (let folder of deepestFirst) {
      while (folder.startsWith(this.folder + sep)) {
        try {
          await rmdir(folder);
        } catch {
          break; // not empty, already gone, or not ours to remove
        }
        folder = dirname(folder);
      }
    }
  }
}
