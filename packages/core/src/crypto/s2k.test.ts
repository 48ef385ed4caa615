import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createMessage, encrypt, enums, readMessage } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { iteratedSaltedS2K, useNativeS2K } from './s2k.js';

/** openpgp.js's own S2K object, from a passphrase session key packet it wrote. */
async function openpgpS2K(): Promise<{ s2k: Record<string, unknown> & { produceKey: (p: string, n: number) => Promise<Uint8Array> } }> {
  const encrypted = await encrypt({ message: await createMessage({ binary: new Uint8Array(1) }), passwords: ['x'], format: 'binary', config: { s2kIterationCountByte: 0 } });
  const message = await readMessage({ binaryMessage: encrypted });
  const packet = message.packets.filterByTag(enums.packet.symEncryptedSessionKey)[0] as unknown as { s2k: never };
  return { s2k: packet.s2k };
}

const HASH_IDS: Record<string, number> = { sha1: 2, sha256: 8, sha512: 10, sha224: 11 };

describe('iterated and salted S2K', () => {
  it("derives the same keys as openpgp.js's own implementation", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('sha1', 'sha256', 'sha512', 'sha224'),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 0, max: 0x60 }),
        fc.constantFrom(16, 24, 32),
        async (hash, salt, passphrase, c, length) => {
          const { s2k } = await openpgpS2K();
          Object.assign(s2k, { algorithm: HASH_IDS[hash], salt, c });
          const expected = await s2k.produceKey(passphrase, length);
          const count = (s2k as unknown as { getCount(): number }).getCount();
          expect(Buffer.from(iteratedSaltedS2K(hash, salt, Buffer.from(passphrase, 'utf8'), count, length)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('useNativeS2K replaces the derivation of iterated S2Ks only, with the same result', async () => {
    const { s2k } = await openpgpS2K();
    Object.assign(s2k, { c: 0x60 }); // 1 MiB of hashing
    const before = await s2k.produceKey('a passphrase', 32);
    const original = s2k.produceKey;
    useNativeS2K(s2k);
    expect(s2k.produceKey).not.toBe(original);
    expect(Buffer.from(await s2k.produceKey('a passphrase', 32))).toEqual(Buffer.from(before));

    const other = { type: 'argon2', produceKey: async () => new Uint8Array(1), getCount: () => 0, salt: new Uint8Array(16), algorithm: 8 };
    const argon = other.produceKey;
    useNativeS2K(other);
    expect(other.produceKey).toBe(argon);
    useNativeS2K(undefined);
    const unknownHash = { type: 'iterated', algorithm: 99, salt: new Uint8Array(8), getCount: () => 1024, produceKey: argon };
    useNativeS2K(unknownHash);
    expect(unknownHash.produceKey).toBe(argon);
  });

  it('hashes at least one whole salt and passphrase when the count is shorter', () => {
    const salt = new Uint8Array(8).fill(1);
    const passphrase = Buffer.alloc(2000, 0x61);
    const whole = createHash('sha256').update(salt).update(passphrase).digest();
    expect(iteratedSaltedS2K('sha256', salt, passphrase, 1024, 32)).toEqual(whole);
  });
});
