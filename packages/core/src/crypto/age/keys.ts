import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bech32 } from '@scure/base';

/** An age X25519 recipient: its `age1…` text and the raw 32-byte public key. */
export interface AgeRecipient {
  readonly recipient: string;
  readonly publicKey: Buffer;
}

/** An age X25519 identity: the private key, and the recipient it decrypts for (never the secret text). */
export interface AgeIdentity {
  readonly recipient: string;
  readonly privateKey: KeyObject;
}

const RECIPIENT_PREFIX = 'age';
const IDENTITY_PREFIX = 'age-secret-key-';
/** DER framing of a raw X25519 key (RFC 8410), so node:crypto takes the 32 bytes as a key object. */
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/** Looks like an age recipient (checked in full by parseAgeRecipient). */
export const AGE_RECIPIENT_LINE = /^age1[0-9a-z]+$/;
/** Looks like an age X25519 identity (checked in full by parseAgeIdentity). */
export const AGE_IDENTITY_LINE = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;

/** Parses `age1…`; undefined when it is not a well-formed X25519 recipient (bad checksum, length or prefix). */
export function parseAgeRecipient(text: string): AgeRecipient | undefined {
  const bytes = decodeBech32(text, RECIPIENT_PREFIX);
  if (!bytes) return undefined;
  return { recipient: text, publicKey: bytes };
}

/** Parses `AGE-SECRET-KEY-1…`; undefined when it is not a well-formed X25519 identity. */
export function parseAgeIdentity(text: string): AgeIdentity | undefined {
  if (text !== text.toUpperCase()) return undefined;
  const bytes = decodeBech32(text, IDENTITY_PREFIX);
  if (!bytes) return undefined;
  const privateKey = x25519PrivateKey(bytes);
  bytes.fill(0);
  return { recipient: recipientText(x25519PublicBytes(privateKey)), privateKey };
}

/** A new X25519 identity: its secret text (`AGE-SECRET-KEY-1…`, to be written out directly) and its recipient. */
export function generateAgeIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const raw = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_X25519.length);
  const identity = bech32.encode(IDENTITY_PREFIX, bech32.toWords(raw), false).toUpperCase();
  raw.fill(0);
  return { identity, recipient: recipientText(x25519PublicBytes(publicKey)) };
}

/** The raw 32 bytes of an X25519 public key (or of the public half of a private key). */
export function x25519PublicBytes(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return Buffer.from(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519.length));
}

/** A key object for a raw X25519 private key. */
export function x25519PrivateKey(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: 'der', type: 'pkcs8' });
}

/** A key object for a raw X25519 public key. */
export function x25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: 'der', type: 'spki' });
}

function recipientText(publicKey: Uint8Array): string {
  return bech32.encode(RECIPIENT_PREFIX, bech32.toWords(publicKey), false);
}

function decodeBech32(text: string, prefix: string): Buffer | undefined {
  try {
    const decoded = bech32.decode(text as `${string}1${string}`, false);
    if (decoded.prefix !== prefix) return undefined;
    const bytes = Buffer.from(bech32.fromWords(decoded.words));
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}
