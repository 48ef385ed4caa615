import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decryptBytes,
  decryptToFile,
  encryptBytes,
  encryptStream,
  IntegrityError,
  loadDecryptionKeys,
  NotAgeFileError,
  prepareEncryption,
  TruncatedMessageError,
  WrongKeyError,
  WrongPassphraseError,
  type DecryptionKeys,
  type EncryptionPlan,
} from '../../packages/core/src/crypto/index.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { age, ageKeygen, ageWithPassphrase } from '../services/age.js';
import { caught, chunked, collect, tempDir, testBytes } from './fixtures.js';

const PASSPHRASE = 'age interop passphrase, long enough';
/** Sizes around the 64 KiB chunk boundary, and several MiB. */
const SIZES = [0, 1, 65_535, 65_536, 65_537, 2 * 65_536, 3 * 1024 * 1024 + 17];
const SEALED = 65_536 + 16;

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The real `age` CLI on the other side of every file. */
describe('age interoperability', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let alice: ReturnType<typeof ageKeygen>;
  let bob: ReturnType<typeof ageKeygen>;
  let aliceKeyPath: string;
  let plan: EncryptionPlan;
  let aliceKeys: DecryptionKeys;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('lb-age-'));
    alice = ageKeygen();
    bob = ageKeygen();
    aliceKeyPath = join(dir, 'alice.key.txt');
    await writeFile(aliceKeyPath, alice.keyFile, { mode: 0o600 });
    plan = await prepareEncryption({ encryption: 'auto', recipients: `${alice.recipient}\n${bob.recipient}` }, new MemoryReporter());
    aliceKeys = await loadDecryptionKeys({ identity: aliceKeyPath });
  });
  afterAll(() => cleanup());

  test('auto picks age for age recipients, and the key file age-keygen wrote is an identity', () => {
    expect(plan.scheme).toBe('age');
    expect(plan.ageRecipients!.map((r) => r.recipient)).toEqual([alice.recipient, bob.recipient]);
    expect(aliceKeys.ageIdentities!.map((i) => i.recipient)).toEqual([alice.recipient]);
  });

  test.for(SIZES)('age -d decrypts what Lifeboat encrypts, and the other way round (%i bytes)', async (size) => {
    const data = testBytes(size, size + 3);
    const lifeboat = await collect(encryptStream(plan, chunked(data, 10_000)));
    const file = join(dir, `lb-${size}.age`);
    await writeFile(file, lifeboat);
    expect(sha(age(['-d', '-i', aliceKeyPath, file]))).toBe(sha(data));

    const plain = join(dir, `plain-${size}`);
    await writeFile(plain, data);
    const fromCli = join(dir, `cli-${size}.age`);
    age(['-r', alice.recipient, '-r', bob.recipient, '-o', fromCli, plain]);
    const out = join(dir, `cli-${size}.out`);
    const { createReadStream } = await import('node:fs');
    expect(await decryptToFile(createReadStream(fromCli), aliceKeys, out, { scheme: 'age' })).toEqual({ bytes: size, sha256: sha(data) });
    expect(sha(await readFile(out))).toBe(sha(data));
  });

  test('any chunking of any input round-trips, and age reads it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 70_000 }), async (size, inChunk, outChunk) => {
        const data = testBytes(size, size + inChunk);
        const ciphertext = await collect(encryptStream(plan, chunked(data, inChunk)));
        // Payload size is fixed by the plaintext size: full chunks plus one final chunk.
        const chunks = Math.max(1, Math.ceil(size / 65_536));
        expect(ciphertext.length - headerLength(ciphertext)).toBe(16 + size + chunks * 16);
        const out = join(dir, `prop-${size}-${inChunk}.out`);
        expect(await decryptToFile(chunked(ciphertext, outChunk), aliceKeys, out, { scheme: 'age' })).toEqual({ bytes: size, sha256: sha(data) });
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400_000 }), async (size) => {
        const data = testBytes(size, size);
        expect(sha(age(['-d', '-i', aliceKeyPath], await collect(encryptStream(plan, chunked(data)))))).toBe(sha(data));
      }),
      { numRuns: 8 },
    );
  });

  test('passphrase: age -p files decrypt in Lifeboat, Lifeboat passphrase files decrypt in age (scrypt 2^18)', async () => {
    const data = testBytes(200_000, 5);
    const plain = join(dir, 'pass.plain');
    await writeFile(plain, data);
    const fromCli = join(dir, 'pass-cli.age');
    ageWithPassphrase(PASSPHRASE, ['-p', '-o', fromCli, plain]);
    const keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    expect(Buffer.from(await decryptBytes(await readFile(fromCli), keys, { scheme: 'age' })).equals(Buffer.from(data))).toBe(true);
    const wrong = await caught(decryptBytes(await readFile(fromCli), await loadDecryptionKeys({ passphrase: 'not the passphrase at all' }), { scheme: 'age' }));
    expect(wrong).toBeInstanceOf(WrongPassphraseError);
    const noPassphrase = await caught(decryptBytes(await readFile(fromCli), aliceKeys, { scheme: 'age' }));
    expect(noPassphrase).toBeInstanceOf(WrongKeyError);
    expect(noPassphrase.message).toContain('passphrase');

    const passPlan = await prepareEncryption({ encryption: 'age', passphrase: PASSPHRASE }, new MemoryReporter());
    expect(passPlan.scryptWorkFactor).toBe(18);
    const lifeboat = join(dir, 'pass-lb.age');
    await writeFile(lifeboat, await encryptBytes(passPlan, data));
    expect((await readFile(lifeboat)).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S{22} 18\n/);
    const out = join(dir, 'pass-lb.out');
    ageWithPassphrase(PASSPHRASE, ['-d', '-o', out, lifeboat]);
    expect(sha(await readFile(out))).toBe(sha(data));
  });

  describe('a damaged, cut, reordered or foreign file is refused and leaves no output', () => {
    const data = testBytes(5 * 65_536 + 100, 11);
    let ciphertext: Buffer;
    let start: number;
    beforeAll(async () => {
      ciphertext = await collect(encryptStream(plan, chunked(data)));
      start = headerLength(ciphertext) + 16;
    });

    async function refused(bytes: Uint8Array, keys: DecryptionKeys = aliceKeys) {
      const out = join(dir, 'refused.out');
      const error = await caught(decryptToFile(chunked(bytes, 30_000), keys, out, { scheme: 'age', label: 'db.pgdump.age' }));
      expect(existsSync(out)).toBe(false);
      expect(error.message).toContain('db.pgdump.age');
      return error;
    }

    test('cut at a chunk boundary, inside a chunk, inside the header, or empty', async () => {
      const atBoundary = await refused(ciphertext.subarray(0, start + 2 * SEALED));
      expect(atBoundary).toBeInstanceOf(TruncatedMessageError);
      expect(atBoundary.message).toContain('not its final chunk');
      expect(await refused(ciphertext.subarray(0, start + 2 * SEALED + 5))).toBeInstanceOf(TruncatedMessageError);
      expect(await refused(ciphertext.subarray(0, ciphertext.length - 1))).toBeInstanceOf(IntegrityError);
      expect(await refused(ciphertext.subarray(0, 40))).toBeInstanceOf(TruncatedMessageError);
      expect(await refused(ciphertext.subarray(0, start - 3))).toBeInstanceOf(TruncatedMessageError);
      expect(await refused(new Uint8Array(0))).toBeInstanceOf(TruncatedMessageError);
    });

    test('two chunks swapped, a byte flipped, data appended after the final chunk', async () => {
      const swapped = Buffer.from(ciphertext);
      ciphertext.copy(swapped, start, start + SEALED, start + 2 * SEALED);
      ciphertext.copy(swapped, start + SEALED, start, start + SEALED);
      const reordered = await refused(swapped);
      expect(reordered).toBeInstanceOf(IntegrityError);
      expect(reordered.message).toContain('chunk 1');
      const flipped = Buffer.from(ciphertext);
      flipped[start + 3 * SEALED + 7]! ^= 1;
      expect((await refused(flipped)).message).toContain('chunk 4');
      expect(await refused(Buffer.concat([ciphertext, ciphertext.subarray(start, start + 100)]))).toBeInstanceOf(IntegrityError);
      // After a full final chunk, the extra bytes are named as such.
      const aligned = await collect(encryptStream(plan, chunked(data.subarray(0, 2 * 65_536))));
      const appended = await refused(Buffer.concat([aligned, aligned.subarray(start, start + 100)]));
      expect(appended).toBeInstanceOf(IntegrityError);
      expect(appended.message).toContain('after its final chunk');
    });

    test('a changed header fails its MAC; a header not age writes is refused as such', async () => {
      const text = ciphertext.toString('latin1');
      const stanza = text.indexOf('-> X25519 ', text.indexOf('-> X25519 ') + 1);
      const changed = Buffer.from(ciphertext);
      // Drop bob's stanza: the header still opens for alice, but its MAC no longer matches.
      const end = text.indexOf('\n', text.indexOf('\n', stanza) + 1) + 1;
      const withoutBob = Buffer.concat([changed.subarray(0, stanza), changed.subarray(end)]);
      const mac = await refused(withoutBob);
      expect(mac).toBeInstanceOf(IntegrityError);
      expect(mac.message).toContain('header MAC');
      const badBase64 = Buffer.from(text.replace(/\n--- (\S)/, (_m, c: string) => `\n--- ${c === 'A' ? 'B' : 'A'}`), 'latin1');
      expect(await refused(badBase64)).toBeInstanceOf(IntegrityError);
      expect(await refused(Buffer.from('PGDMP\x01\x0e\x00 plaintext dump'))).toBeInstanceOf(NotAgeFileError);
      const armored = await refused(Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n'));
      expect(armored.message).toContain('ASCII-armored');
      expect(await refused(Buffer.from('age-encryption.org/v1\n--- AAAA\n'))).toBeInstanceOf(NotAgeFileError);
    });

    test('a key it is not encrypted to, or no age key at all', async () => {
      const carol = ageKeygen();
      const wrong = await refused(ciphertext, await loadDecryptionKeys({ identity: carol.identity }));
      expect(wrong).toBeInstanceOf(WrongKeyError);
      expect(wrong.message).toContain(carol.recipient);
      expect(wrong.message).not.toContain(carol.identity);
      expect(await refused(ciphertext, await loadDecryptionKeys({ passphrase: PASSPHRASE }))).toBeInstanceOf(WrongKeyError);
    });
  });
});

/** Bytes of the header (through the MAC line). */
function headerLength(file: Buffer): number {
  const mark = file.indexOf('\n--- ');
  return file.indexOf(0x0a, mark + 1) + 1;
}
