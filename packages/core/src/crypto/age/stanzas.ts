import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import type { Stanza } from './header.js';
import { x25519PublicBytes, x25519PublicKey, type AgeIdentity, type AgeRecipient } from './keys.js';

/** Size of an age file key. */
export const FILE_KEY_BYTES = 16;
/** log2 of the scrypt work factor age itself uses by default (about a second, 256 MiB). */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;
/** The highest work factor accepted when decrypting: 2^20 needs 1 GiB, more would exhaust a runner. */
export const MAX_SCRYPT_WORK_FACTOR = 20;

const X25519_INFO = 'age-encryption.org/v1/X25519';
const SCRYPT_SALT_LABEL = 'age-encryption.org/v1/scrypt';
const ZERO_NONCE = Buffer.alloc(12);
const TAG = 16;
const WRAPPED_BYTES = FILE_KEY_BYTES + TAG;

/** A stanza that is addressed to us but malformed: the header is not one age would write. */
export class MalformedStanza extends Error {}

/** The stanza wrapping `fileKey` for an X25519 recipient (fresh ephemeral key each time). */
export function wrapX25519(fileKey: Uint8Array, recipient: AgeRecipient): Stanza {
  const ephemeral = generateKeyPairSync('x25519');
  const share = x25519PublicBytes(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(recipient.publicKey) });
  const key = wrapKey(shared, Buffer.concat([share, recipient.publicKey]));
  return { args: ['X25519', encodeBase64(share)], body: seal(key, fileKey) };
}

/** The file key from an X25519 stanza if `identity` opens it; undefined if it is someone else's. */
export function unwrapX25519(stanza: Stanza, identity: AgeIdentity): Buffer | undefined {
  if (stanza.args.length !== 2) throw new MalformedStanza('an X25519 stanza does not have exactly two arguments');
  const share = decodeBase64(stanza.args[1]!);
  if (!share || share.length !== 32) throw new MalformedStanza('an X25519 stanza\'s ephemeral share is not 32 bytes of canonical base64');
  if (stanza.body.length !== WRAPPED_BYTES) throw new MalformedStanza('an X25519 stanza\'s body is not 32 bytes');
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: identity.privateKey, publicKey: x25519PublicKey(share) });
  } catch {
    // OpenSSL refuses shares of small order (an all-zero shared secret): such a stanza opens for no one.
    return undefined;
  }
  if (shared.every((b) => b === 0)) return undefined;
  const recipient = x25519PublicBytes(identity.privateKey);
  return open(wrapKey(shared, Buffer.concat([share, recipient])), stanza.body);
}

/** The stanza wrapping `fileKey` with a passphrase through scrypt (fresh salt each time). */
export async function wrapScrypt(fileKey: Uint8Array, passphrase: string, workFactor = DEFAULT_SCRYPT_WORK_FACTOR): Promise<Stanza> {
  const salt = randomBytes(16);
  const key = await scryptKey(passphrase, salt, workFactor);
  return { args: ['scrypt', encodeBase64(salt), String(workFactor)], body: seal(key, fileKey) };
}

/** The file key from an scrypt stanza if `passphrase` opens it; undefined if it is the wrong passphrase. */
export async function unwrapScrypt(stanza: Stanza, passphrase: string): Promise<Buffer | undefined> {
  if (stanza.args.length !== 3) throw new MalformedStanza('an scrypt stanza does not have exactly three arguments');
  const salt = decodeBase64(stanza.args[1]!);
  if (!salt || salt.length !== 16) throw new MalformedStanza('an scrypt stanza\'s salt is not 16 bytes of canonical base64');
  if (!/^[1-9][0-9]*$/.test(stanza.args[2]!)) throw new MalformedStanza('an scrypt stanza\'s work factor is not a decimal number');
  const workFactor = Number(stanza.args[2]);
  if (workFactor > MAX_SCRYPT_WORK_FACTOR) {
    throw new MalformedStanza(`the scrypt work factor 2^${workFactor} is above the 2^${MAX_SCRYPT_WORK_FACTOR} Lifeboat accepts (it would need ${2 ** (workFactor - 10)} MiB of memory)`);
  }
  if (stanza.body.length !== WRAPPED_BYTES) throw new MalformedStanza('an scrypt stanza\'s body is not 32 bytes');
  return open(await scryptKey(passphrase, salt, workFactor), stanza.body);
}

function wrapKey(shared: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, salt, X25519_INFO, 32));
}

function scryptKey(passphrase: string, salt: Buffer, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor;
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(passphrase, 'utf8'), Buffer.concat([Buffer.from(SCRYPT_SALT_LABEL), salt]), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

function seal(key: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: TAG });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG));
  try {
    decipher.final();
    return plaintext;
  } catch {
    return undefined;
  }
}
