import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { createPrivateTempDir, removePrivateTempDir } from '../../process/private-temp.js';
import { formatBytes } from '../../options/values.js';
import { StorageError } from '../errors.js';
import { encodeCrc32 } from './part-sender.js';

/**
 * Large parts gather in files rather than in memory. An upload must keep each part until the
 * store has acknowledged it (a failed attempt is sent again), and S3 allows only 10,000
 * parts (some providers 1,000), so a large backup needs large parts: at 50 GiB in 1,000 parts
 * two 103 MiB buffers took the upload to 350 MiB RSS. A spooled part costs disk instead
 * (`partSize × (queueSize + 1)` in the spool folder) and is read back from the page cache as
 * it is sent. What is spooled is what is stored: ciphertext, unless the backup is unencrypted.
 */

/** A part ready to send from its spool file: its length, SHA-256 (hex) and CRC32 (base64). */
export interface SpooledPart {
  readonly length: number;
  readonly sha256: string;
  readonly crc32: string;
  /** A fresh stream of the part's bytes, for each attempt. */
  open(): Readable;
}

/** The store's failure to write or read the spool, naming the folder and what to change. */
export class UploadSpoolError extends StorageError {
  constructor(dir: string, partSize: number, parts: number, error: unknown) {
    const code = (error as { code?: string } | null)?.code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    super(
      'upload-spool-failed',
      `Could not ${full ? 'spool a part of the upload: no space left' : `use the upload's spool folder (${code ?? (error instanceof Error ? error.message : String(error))})`} in ${dir}.`,
      `The upload keeps up to ${parts} parts of ${formatBytes(partSize)} there (${formatBytes(parts * partSize)}) until the store acknowledges them. ${full ? 'Free that much space, or point RUNNER_TEMP (or TMPDIR) at a larger disk' : 'Point RUNNER_TEMP (or TMPDIR) at a writable folder'}; a smaller \`s3-part-size\` needs less.`,
      { cause: error },
    );
  }
}

const READ_CHUNK = 1024 * 1024;

/** One part's file: filled from the start, hashed as it is written, reused once its part is acknowledged. */
export class SpoolFile {
  private hash: Hash = createHash('sha256');
  private crc = 0;
  filled = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly partSize: number,
    private readonly failure: (error: unknown) => UploadSpoolError,
  ) {}

  /** Writes bytes from `chunk` at `offset` up to the part's size; resolves with how many it took. */
  async fill(chunk: Buffer, offset: number): Promise<number> {
    const taken = chunk.subarray(offset, offset + (this.partSize - this.filled));
    let written = 0;
    try {
      while (written < taken.length) {
        const { bytesWritten } = await this.handle.write(taken, written, taken.length - written, this.filled + written);
        written += bytesWritten;
      }
    } catch (error) {
      throw this.failure(error);
    }
    this.hash.update(taken);
    this.crc = crc32(taken, this.crc);
    this.filled += taken.length;
    return taken.length;
  }

  /** The part as written so far, to send; no more is written to it until `reset`. */
  body(): SpooledPart {
    if (this.sealed) return this.sealed;
    const length = this.filled;
    this.sealed = { length, sha256: this.hash.digest('hex'), crc32: encodeCrc32(this.crc), open: () => Readable.from(this.read(length), { objectMode: false }) };
    return this.sealed;
  }

  private sealed: SpooledPart | undefined;

  /** The file's first `length` bytes, in 1 MiB reads. */
  private async *read(length: number): AsyncGenerator<Buffer> {
    for (let position = 0; position < length; ) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, length - position));
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(buffer, 0, buffer.length, position));
      } catch (error) {
        throw this.failure(error);
      }
      if (bytesRead === 0) throw this.failure(Object.assign(new Error('a spool file is shorter than its part'), { code: 'ESHORT' }));
      position += bytesRead;
      yield bytesRead < buffer.length ? buffer.subarray(0, bytesRead) : buffer;
    }
  }

  /** Makes the file ready for the next part. */
  reset(): void {
    this.sealed = undefined;
    this.hash = createHash('sha256');
    this.crc = 0;
    this.filled = 0;
  }

  /** Closes the file. */
  close(): Promise<void> {
    return this.handle.close().catch(() => {});
  }
}

/** The private folder of one upload's spool files, removed when the upload ends. */
export class PartSpool {
  private readonly files: SpoolFile[] = [];

  private constructor(
    readonly dir: string,
    private readonly partSize: number,
    private readonly slots: number,
  ) {}

  /** Makes the spool folder (0700, removed on exit) under `base`. */
  static async create(base: string, partSize: number, slots: number): Promise<PartSpool> {
    try {
      return new PartSpool(await createPrivateTempDir(base, 'lifeboat-upload-'), partSize, slots);
    } catch (error) {
      throw new UploadSpoolError(base, partSize, slots, error);
    }
  }

  /** A new spool file. */
  async file(): Promise<SpoolFile> {
    let handle: FileHandle;
    try {
      handle = await open(join(this.dir, `part-${this.files.length + 1}`), 'wx+', 0o600);
    } catch (error) {
      throw this.failure(error);
    }
    const file = new SpoolFile(handle, this.partSize, (error) => this.failure(error));
    this.files.push(file);
    return file;
  }

  /** The error to report for a failed spool read or write. */
  failure(error: unknown): UploadSpoolError {
    return error instanceof UploadSpoolError ? error : new UploadSpoolError(this.dir, this.partSize, this.slots, error);
  }

  /** Closes the files and removes the folder. */
  async remove(): Promise<void> {
    await Promise.all(this.files.map((file) => file.close()));
    await removePrivateTempDir(this.dir);
  }
}
