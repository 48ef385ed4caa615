import { randomBytes } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { writeHeader, type Stanza } from './header.js';
import type { AgeRecipient } from './keys.js';
import { PayloadEncryptor } from './payload.js';
import { DEFAULT_SCRYPT_WORK_FACTOR, FILE_KEY_BYTES, wrapScrypt, wrapX25519 } from './stanzas.js';

/** Whom an age file is encrypted to: X25519 recipients, or a passphrase alone (age forbids mixing them). */
export type AgeEncryptionKeys =
  | { readonly recipients: readonly AgeRecipient[]; readonly passphrase?: undefined }
  | { readonly recipients?: readonly [] | undefined; readonly passphrase: string; readonly scryptWorkFactor?: number };

/** The header for a fresh file key, and that key. */
async function startFile(keys: AgeEncryptionKeys): Promise<{ header: Buffer; fileKey: Buffer }> {
  const fileKey = randomBytes(FILE_KEY_BYTES);
  const stanzas: Stanza[] =
    keys.passphrase !== undefined
      ? [await wrapScrypt(fileKey, keys.passphrase, keys.scryptWorkFactor ?? DEFAULT_SCRYPT_WORK_FACTOR)]
      : (keys.recipients ?? []).map((r) => wrapX25519(fileKey, r));
  if (stanzas.length === 0) throw new Error('An age file needs at least one recipient or a passphrase.');
  return { header: writeHeader(stanzas, fileKey), fileKey };
}

/** Encrypts a stream into a binary age v1 file (`age -d` reads it); backpressure end to end. */
export function ageEncryptStream(keys: AgeEncryptionKeys, input: Readable): Readable {
  const encryptor = new PayloadEncryptor(() => startFile(keys));
  // A failing input fails the output with the input's own error; a destroyed output ends the input.
  pipeline(input, encryptor, () => undefined);
  return encryptor;
}

/** Encrypts a small buffer into an age file. */
export async function ageEncryptBytes(keys: AgeEncryptionKeys, data: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ageEncryptStream(keys, Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
