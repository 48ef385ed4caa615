import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Pass-through stage that counts bytes and computes SHA-256 of everything that flows. */
export class HashCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;
  /** Bytes seen so far. */
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
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
