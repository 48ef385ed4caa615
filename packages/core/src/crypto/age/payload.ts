import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Plaintext bytes per STREAM chunk. */
export const CHUNK = 64 * 1024;
const TAG = 16;
/** Ciphertext bytes of a full chunk. */
export const SEALED_CHUNK = CHUNK + TAG;
/** The payload nonce that follows the header. */
export const PAYLOAD_NONCE_BYTES = 16;

/** The payload key: HKDF-SHA-256 of the file key, salted with the payload nonce. */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** The 12-byte chunk nonce: an 11-byte big-endian counter, then 0x01 for the final chunk. */
export function chunkNonce(nonce: Buffer, counter: number, final: boolean): Buffer {
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/**
 * Encrypts a plaintext stream into age's STREAM payload (nonce, then 64 KiB ChaCha20-Poly1305
 * chunks, the last flagged final). The payload is written after the header `start` returns,
 * which runs before the first byte is emitted. A full chunk is held back until more input
 * shows it is not the last: only the end of the input says which chunk is final.
 */
export class PayloadEncryptor extends Transform {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private readonly nonce = Buffer.alloc(12);
  private filled = 0;
  private counter = 0;
  private key: Buffer | undefined;

  constructor(private readonly start: () => Promise<{ header: Buffer; fileKey: Buffer }>) {
    // About 1 MiB buffered on each side: reads overlap encryption, and memory stays flat.
    super({ readableHighWaterMark: 16 * SEALED_CHUNK, writableHighWaterMark: 16 * CHUNK });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.start().then(
      ({ header, fileKey }) => {
        const nonce = randomBytes(PAYLOAD_NONCE_BYTES);
        this.key = payloadKey(fileKey, nonce);
        fileKey.fill(0);
        this.push(Buffer.concat([header, nonce]));
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.filled === CHUNK) {
        this.seal(this.buffer, false);
        this.filled = 0;
      }
      // Whole chunks with more input after them are sealed in place, without a copy.
      if (this.filled === 0 && chunk.length - offset > CHUNK) {
        this.seal(chunk.subarray(offset, offset + CHUNK), false);
        offset += CHUNK;
        continue;
      }
      const take = Math.min(CHUNK - this.filled, chunk.length - offset);
      chunk.copy(this.buffer, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // An empty payload is one empty final chunk.
    this.seal(this.buffer.subarray(0, this.filled), true);
    this.key?.fill(0);
    callback();
  }

  private seal(plaintext: Buffer, final: boolean): void {
    const cipher = createCipheriv('chacha20-poly1305', this.key!, chunkNonce(this.nonce, this.counter++, final), { authTagLength: TAG });
    this.push(cipher.update(plaintext));
    cipher.final();
    this.push(cipher.getAuthTag());
  }
}

