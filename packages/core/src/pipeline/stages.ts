import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback, type TransformOptions, type Writable } from 'node:stream';

/**
 * Writes a chunk and waits while the target's buffer is full; rejects when the target fails
 * or closes first (a consumer that is gone must not stall its producer), or on abort.
 */
export async function writeAll(target: Writable, chunk: Buffer, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (target.destroyed) throw target.errored ?? new Error('the stream it was writing to was closed');
  if (target.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      target.off('drain', onDrain).off('error', settle).off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(target.errored ?? new Error('the stream it was writing to was closed'));
    const onAbort = () => settle(signal!.reason as Error);
    target.on('drain', onDrain).on('error', settle).on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** HashCounter's options: a stream's, and a second consumer of every byte. */
export interface HashCounterOptions extends TransformOptions {
  /** Also receives every chunk, in order, with its backpressure (it is not ended here). */
  readonly copyTo?: Writable;
}

/** Pass-through stage that counts bytes and computes SHA-256 of everything that flows. */
export class HashCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;
  private readonly copyTo: Writable | undefined;
  /** Bytes seen so far. */
  bytes = 0;

  constructor({ copyTo, ...options }: HashCounterOptions = {}) {
    super(options);
    this.copyTo = copyTo;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.copyTo) return callback(null, chunk);
    writeAll(this.copyTo, chunk).then(() => callback(null, chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback();
  }

  /** Hex SHA-256 of all bytes; only valid once the stream has ended. */
  sha256(): string {
    if (this.digest === undefined) throw new Error('HashCounter: digest read before the stream ended');
    return this.digest;
  }
}
