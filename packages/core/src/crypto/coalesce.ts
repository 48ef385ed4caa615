import { Transform } from 'node:stream';

/**
 * openpgp.js spends a fixed cost per chunk (stream transforms, hashing, cipher calls): with the
 * 16-64 KiB chunks compressors and sockets produce it runs at about half the speed it reaches
 * with 1 MiB chunks, so small chunks are joined before they reach it.
 */
export const CRYPTO_CHUNK = 1 << 20;

/** A transform that joins small chunks into chunks of at least `size` bytes (the last may be shorter). */
export function coalesce(size: number = CRYPTO_CHUNK): Transform {
  let parts: Buffer[] = [];
  let length = 0;
  const take = (): Buffer => {
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    return out;
  };
  return new Transform({
    readableHighWaterMark: size,
    writableHighWaterMark: size,
    transform(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      length += chunk.length;
      callback(null, length >= size ? take() : undefined);
    },
    flush(callback) {
      callback(null, length > 0 ? take() : undefined);
    },
  });
}
