import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generateKey, readKey, readPrivateKey, revokeKey, type PrivateKey } from 'openpgp';
import { LifeboatError } from '../../packages/core/src/report/errors.js';

const DAY = 86_400;

/** An armored key pair made by openpgp.js for tests, with its fingerprint. */
export interface TestKey {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
  passphrase?: string;
}

/** A GnuPG-2.2-readable key pair (ecc, v4); options shift its dates to make expired keys. */
export async function makeKey(
  options: {
    name?: string;
    passphrase?: string;
    type?: 'ecc' | 'rsa' | 'curve25519';
    v6?: boolean;
    /** Seconds the key (primary and subkey) lives. */
    expiresIn?: number;
    /** Seconds only the encryption subkey lives. */
    subkeyExpiresIn?: number;
    /** Created this many days ago. */
    ageDays?: number;
    /** No encryption subkey at all. */
    signOnly?: boolean;
    rsaBits?: number;
  } = {},
): Promise<TestKey> {
  const date = new Date(Date.now() - (options.ageDays ?? 0) * DAY * 1000);
  const name = options.name ?? 'Test Key';
  const { publicKey, privateKey } = await generateKey({
    type: options.type ?? 'ecc',
    rsaBits: options.rsaBits ?? 2048,
    userIDs: [{ name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.org` }],
    passphrase: options.passphrase,
    date,
    keyExpirationTime: options.expiresIn,
    subkeys: options.signOnly ? [] : [{ keyExpirationTime: options.subkeyExpiresIn }],
    format: 'armored',
    config: { v6Keys: options.v6 ?? false, minRSABits: Math.min(2047, options.rsaBits ?? 2047) },
  });
  const fingerprint = (await readKey({ armoredKey: publicKey })).getFingerprint();
  return { publicKey, privateKey, fingerprint, passphrase: options.passphrase };
}

/** The public key of `key`, revoked. */
export async function revoked(key: TestKey): Promise<string> {
  let privateKey: PrivateKey = await readPrivateKey({ armoredKey: key.privateKey });
  if (key.passphrase) {
    const { decryptKey } = await import('openpgp');
    privateKey = await decryptKey({ privateKey, passphrase: key.passphrase });
  }
  const { publicKey } = await revokeKey({ key: privateKey, format: 'armored' });
  return publicKey;
}

/** A temp directory removed by the returned cleanup. */
export async function tempDir(prefix = 'lbc-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes (xorshift), so failures are reproducible. */
export function testBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A readable that yields `data` in chunks of `chunkSize`. */
export function chunked(data: Uint8Array, chunkSize = 64 * 1024): Readable {
  function* chunks() {
    for (let i = 0; i < data.length; i += chunkSize) yield Buffer.from(data.subarray(i, i + chunkSize));
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Collects a readable into one buffer. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Awaits `promise`, expecting a LifeboatError; returns it for further assertions. */
export async function caught(promise: Promise<unknown>): Promise<LifeboatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LifeboatError) return error;
    throw new Error(`expected a LifeboatError, got: ${error instanceof Error ? error.stack : String(error)}`);
  }
  throw new Error('expected a LifeboatError, but it resolved');
}

/** Every non-trivial line of an armored key's body, to check none leaks into text. */
export function secretLines(armored: string): string[] {
  return armored
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

/** The binary form of an armored key, as `gpg --export` without `--armor` writes it. */
export async function dearmor(armored: string): Promise<Uint8Array> {
  return (await readKey({ armoredKey: armored })).write();
}
