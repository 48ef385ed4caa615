import { createHash, getHashes } from 'node:crypto';

/** OpenPGP hash algorithm ids (RFC 4880 §9.4, RFC 9580 §9.5) → Node's names. */
const HASHES: Readonly<Record<number, string>> = {
  1: 'md5',
  2: 'sha1',
  3: 'ripemd160',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
  12: 'sha3-256',
  14: 'sha3-512',
};

/** Bytes fed to the hash per update: whole repetitions of salt‖passphrase, about this long. */
const BLOCK = 64 * 1024;

/**
 * RFC 4880 §3.7.1.3 iterated and salted S2K: `count` octets of salt‖passphrase repeated
 * (at least one whole copy) are hashed, in as many contexts as `length` needs, the n-th
 * preloaded with n-1 zero octets. Streams the repetitions through a small block: openpgp.js
 * builds the whole count (gpg's default is 64 MiB) in one array first, which costs about half
 * a second per key here.
 */
export function iteratedSaltedS2K(hash: string, salt: Uint8Array, passphrase: Uint8Array, count: number, length: number): Buffer {
  const data = Buffer.concat([salt, passphrase]);
  const total = Math.max(count, data.length);
  const copies = Math.max(1, Math.floor(BLOCK / Math.max(1, data.length)));
  const block = Buffer.alloc(copies * data.length);
  for (let i = 0; i < copies; i++) data.copy(block, i * data.length);
  const digests: Buffer[] = [];
  let produced = 0;
  for (let preload = 0; produced < length; preload++) {
    const context = createHash(hash);
    if (preload > 0) context.update(Buffer.alloc(preload));
    let left = total;
    // Each update is whole repetitions, so the next one continues the pattern where this one stopped.
    while (left >= block.length) {
      context.update(block);
      left -= block.length;
    }
    if (left > 0) context.update(block.subarray(0, left));
    const digest = context.digest();
    digests.push(digest);
    produced += digest.length;
  }
  return Buffer.concat(digests).subarray(0, length);
}

/** The parts of openpgp.js's S2K object used here (not part of its public types). */
interface OpenpgpS2K {
  type?: unknown;
  algorithm?: unknown;
  salt?: unknown;
  getCount?: () => number;
  produceKey?: (passphrase: string, length: number, config?: unknown) => Promise<Uint8Array>;
}

/**
 * Lets an openpgp.js S2K object (of a secret key packet or a passphrase-encrypted session
 * key packet) derive its key with iteratedSaltedS2K: same result, native hashing, no large
 * allocation. Anything but an iterated S2K whose hash Node has is left to openpgp.js.
 */
export function useNativeS2K(s2k: unknown): void {
  const target = s2k as OpenpgpS2K | null | undefined;
  if (!target || target.type !== 'iterated' || typeof target.getCount !== 'function' || typeof target.produceKey !== 'function') return;
  const salt = target.salt;
  const hash = typeof target.algorithm === 'number' ? HASHES[target.algorithm] : undefined;
  if (!(salt instanceof Uint8Array) || !hash || !nodeHashes().has(hash)) return;
  const count = target.getCount.bind(target);
  target.produceKey = async (passphrase: string, length: number) => new Uint8Array(iteratedSaltedS2K(hash, salt, Buffer.from(passphrase, 'utf8'), count(), length));
}

let available: Set<string> | undefined;
function nodeHashes(): Set<string> {
  available ??= new Set(getHashes());
  return available;
}
