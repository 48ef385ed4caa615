import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decryptBytes,
  decryptToFile,
  encryptBytes,
  encryptStream,
  IntegrityError,
  KeyPassphraseError,
  loadDecryptionKeys,
  NoDecryptionKeyError,
  NotOpenPGPMessageError,
  prepareEncryption,
  PrivateKeyError,
  TruncatedMessageError,
  WrongKeyError,
  WrongPassphraseError,
  type DecryptionKeys,
  type EncryptionPlan,
} from '../../packages/core/src/crypto/index.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { caught, chunked, collect, makeKey, secretLines, tempDir, testBytes, type TestKey } from './fixtures.js';

const PASSPHRASE = 'symmetric passphrase for the tests 1';

/** Every decryption below runs with openpgp.js alone and with the gpg binary (GnuPG 2.2 here): same results, same errors. */
const ENGINES = ['openpgp', 'gpg'] as const;

describe.each(ENGINES)('encrypt with openpgp.js, decrypt with engine %s', (engine) => {
  let alice: TestKey;
  let bob: TestKey;
  let carol: TestKey;
  let dir: string;
  let cleanup: () => Promise<void>;
  let both: EncryptionPlan;
  const data = testBytes(3 * 1024 * 1024 + 17);
  const sha = createHash('sha256').update(data).digest('hex');

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([
      makeKey({ name: 'Alice', passphrase: 'alice key passphrase' }),
      makeKey({ name: 'Bob', type: 'rsa' }),
      makeKey({ name: 'Carol' }),
    ]);
    ({ dir, cleanup } = await tempDir());
    both = await prepareEncryption({ encryption: 'openpgp', recipients: `${alice.publicKey}\n${bob.publicKey}`, passphrase: PASSPHRASE }, new MemoryReporter());
  });
  afterAll(() => cleanup());

  const aliceKeys = () => loadDecryptionKeys({ identity: alice.privateKey, identityPassphrase: alice.passphrase });

  test('a streamed backup decrypts with each recipient alone and with the passphrase alone', async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    expect(ciphertext.length).toBeGreaterThan(data.length);
    const identities: DecryptionKeys[] = [
      await aliceKeys(),
      await loadDecryptionKeys({ identity: bob.privateKey }),
      await loadDecryptionKeys({ passphrase: PASSPHRASE }),
    ];
    for (const [i, keys] of identities.entries()) {
      const out = join(dir, `plain-${i}`);
      const result = await decryptToFile(chunked(ciphertext, 10_000), keys, out, { engine });
      expect(result).toEqual({ bytes: data.length, sha256: sha });
      expect(createHash('sha256').update(await readFile(out)).digest('hex')).toBe(sha);
    }
  });

  test('encryptBytes and decryptBytes round-trip small data, including empty', async () => {
    for (const sample of [new Uint8Array(0), new TextEncoder().encode('{"tables":[]}')]) {
      const ciphertext = await encryptBytes(both, sample);
      expect(Buffer.from(await decryptBytes(ciphertext, await loadDecryptionKeys({ identity: bob.privateKey }), { engine }))).toEqual(Buffer.from(sample));
    }
  });

  test("scheme 'none' passes data through untouched", async () => {
    const none = await prepareEncryption({ encryption: 'none' }, new MemoryReporter());
    const input = chunked(data);
    expect(encryptStream(none, input)).toBe(input);
    expect(await encryptBytes(none, data)).toBe(data);
  });

  test('the output is binary SEIPDv1 with no compression packet', async () => {
    const ciphertext = await encryptBytes(both, new Uint8Array(1000));
    // Packet tags: 1 = PKESK (x2), 3 = SKESK, then 18 = SEIPD whose first body octet is version 1.
    const tags: number[] = [];
    let offset = 0;
    for (;;) {
      const ctb = ciphertext[offset]!;
      expect(ctb & 0xc0).toBe(0xc0);
      const tag = ctb & 0x3f;
      tags.push(tag);
      const len = ciphertext[offset + 1]!;
      const header = len < 192 ? 2 : len < 224 ? 3 : len === 255 ? 6 : 2;
      if (tag === 18) {
        expect(ciphertext[offset + header]).toBe(1);
        break;
      }
      offset += len < 192 ? 2 + len : 3 + ((len - 192) << 8) + ciphertext[offset + 2]! + 192;
    }
    expect(tags).toEqual([1, 1, 3, 18]);
    const plain = await decryptBytes(ciphertext, await loadDecryptionKeys({ passphrase: PASSPHRASE }), { engine });
    expect(plain.length).toBe(1000);
  });

  test('encryption keeps backpressure: a stalled consumer stops the source', async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    const encrypted = encryptStream(both, source);
    const first = await new Promise<Buffer>((resolve) => encrypted.once('data', resolve));
    encrypted.pause();
    expect(first.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const settled = produced;
    await new Promise((r) => setTimeout(r, 300));
    expect(produced).toBe(settled);
    expect(produced).toBeLessThan(16 * 1024 * 1024);
    encrypted.destroy();
    await new Promise((r) => setImmediate(r));
    expect(source.destroyed).toBe(true);
  });

  test('encryptStream owns its input at once: an observer attached before the first read drains nothing', async () => {
    const input = chunked(data);
    const encrypted = encryptStream(both, input);
    let observed = 0;
    input.on('data', (chunk: Buffer) => (observed += chunk.length));
    await new Promise((r) => setTimeout(r, 50));
    const ciphertext = await collect(encrypted);
    expect(observed).toBe(data.length);
    const plain = await decryptBytes(ciphertext, await loadDecryptionKeys({ passphrase: PASSPHRASE }), { engine });
    expect(createHash('sha256').update(plain).digest('hex')).toBe(sha);
  });

  test('destroying the encrypted stream before reading it destroys the input', async () => {
    const input = new PassThrough();
    const encrypted = encryptStream(both, input);
    encrypted.destroy();
    await new Promise((r) => setImmediate(r));
    expect(input.destroyed).toBe(true);
  });

  test("a failing source fails the encrypted stream with the source's own error", async () => {
    const source = new PassThrough();
    const encrypted = encryptStream(both, source);
    const done = collect(encrypted);
    source.write(Buffer.alloc(1000));
    source.destroy(new Error('pg_dump exited with status 1: connection refused'));
    await expect(done).rejects.toThrow('pg_dump exited with status 1: connection refused');
  });

  test('wrong private key: names the key ids the message wants and the ones given', async () => {
    const carolKeys = await loadDecryptionKeys({ identity: carol.privateKey });
    const ciphertext = await encryptBytes(both, data.subarray(0, 1000));
    const error = await caught(decryptBytes(ciphertext, carolKeys, { engine }));
    expect(error).toBeInstanceOf(WrongKeyError);
    const plan = both.recipients.map((r) => r.encryptionKeyId.toUpperCase());
    for (const id of plan) expect(error.message).toContain(id);
    expect(error.message).toContain('a passphrase');
    expect(error.message).toContain(carolKeys.identities[0]!.fingerprint);
    expect(error.message).toContain(carolKeys.identities[0]!.decryptionKeyIds[0]!.toUpperCase());
    expect(error.fix).toContain('identity');
    expect(error.fix).toContain('passphrase');
    expect((error as WrongKeyError).messageKeyIds.sort()).toEqual(both.recipients.map((r) => r.encryptionKeyId).sort());
  });

  test('a passphrase given for a message encrypted to keys only', async () => {
    const keysOnly = await prepareEncryption({ encryption: 'openpgp', recipients: alice.publicKey }, new MemoryReporter());
    const error = await caught(decryptBytes(await encryptBytes(keysOnly, data.subarray(0, 10)), await loadDecryptionKeys({ passphrase: PASSPHRASE }), { engine }));
    expect(error).toBeInstanceOf(WrongKeyError);
    expect(error.message).toContain('cannot be opened with a passphrase');
    expect(error.message).toContain('no identity was given');
    expect(error.fix).not.toContain('passphrase');
  });

  test('a private key given for a message encrypted with a passphrase only', async () => {
    const symmetric = await prepareEncryption({ encryption: 'openpgp', passphrase: PASSPHRASE }, new MemoryReporter());
    const error = await caught(decryptBytes(await encryptBytes(symmetric, data.subarray(0, 10)), await loadDecryptionKeys({ identity: bob.privateKey }), { engine }));
    expect(error).toBeInstanceOf(WrongKeyError);
    expect(error.message).toContain('encrypted to a passphrase');
    expect(error.fix).toContain('Set `passphrase`');
  });

  test('wrong symmetric passphrase', async () => {
    const symmetric = await prepareEncryption({ encryption: 'openpgp', passphrase: PASSPHRASE }, new MemoryReporter());
    const ciphertext = await encryptBytes(symmetric, data.subarray(0, 1000));
    // Several wrong passphrases: a wrong key that happens to yield a plausible session key must still be caught.
    for (let i = 0; i < 20; i++) {
      const error = await caught(decryptBytes(ciphertext, await loadDecryptionKeys({ passphrase: `wrong passphrase ${i}` }), { engine }));
      expect(error).toBeInstanceOf(WrongPassphraseError);
    }
    const error = await caught(decryptBytes(ciphertext, await loadDecryptionKeys({ passphrase: 'wrong passphrase' }), { engine }));
    expect(error.message).not.toContain('wrong passphrase');
  });

  test('identity problems: wrong or missing identity passphrase, public key given, nothing given', async () => {
    const wrong = await caught(loadDecryptionKeys({ identity: alice.privateKey, identityPassphrase: 'not the key passphrase' }));
    expect(wrong).toBeInstanceOf(KeyPassphraseError);
    expect(wrong.message).toContain(alice.fingerprint);
    expect(wrong.message).toContain('`identity-passphrase` does not unlock');
    expect(wrong.message).not.toContain('not the key passphrase');

    const missing = await caught(loadDecryptionKeys({ identity: alice.privateKey }));
    expect(missing).toBeInstanceOf(KeyPassphraseError);
    expect(missing.fix).toContain('identity-passphrase');

    const publicOnly = await caught(loadDecryptionKeys({ identity: alice.publicKey }));
    expect(publicOnly).toBeInstanceOf(PrivateKeyError);
    expect(publicOnly.message).toContain('is a public key');
    expect(publicOnly.fix).toContain('--export-secret-keys');

    expect(await caught(loadDecryptionKeys({}))).toBeInstanceOf(NoDecryptionKeyError);
    expect(await caught(loadDecryptionKeys({ identityPassphrase: 'x' }))).toBeInstanceOf(OptionError);
    const missingFile = await caught(loadDecryptionKeys({ identity: 'keys/none.asc' }, { cwd: dir }));
    expect(missingFile).toBeInstanceOf(PrivateKeyError);
    expect(missingFile.message).toContain("'keys/none.asc' is no such file");

    // Key material pasted without its BEGIN line reads as paths; the error must not echo it.
    const headless = alice.privateKey.split('\n').filter((l) => !l.startsWith('-----') && !l.startsWith('Comment')).join('\n');
    const pasted = await caught(loadDecryptionKeys({ identity: headless, identityPassphrase: alice.passphrase }));
    expect(pasted).toBeInstanceOf(PrivateKeyError);
    expect(pasted.message).toContain('not shown');

    await writeFile(join(dir, 'alice.key'), alice.privateKey);
    const fromFile = await loadDecryptionKeys({ identity: 'alice.key', identityPassphrase: `${alice.passphrase}\n` }, { cwd: dir });
    expect(fromFile.identities[0]!.fingerprint).toBe(alice.fingerprint);

    for (const error of [wrong, missing, publicOnly, missingFile, pasted]) {
      const text = `${error.message} ${error.fix}`;
      for (const line of secretLines(alice.privateKey)) expect(text).not.toContain(line);
      expect(text).not.toContain(alice.passphrase!);
    }
  });

  test('a flipped byte anywhere in the data fails the integrity check and leaves no file', async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    const keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    // Early, middle, late, inside the trailing MDC packet, and the very last byte.
    for (const at of [0.05, 0.5, 0.999, ciphertext.length - 10, ciphertext.length - 1]) {
      const tampered = Buffer.from(ciphertext);
      tampered[at < 1 ? Math.floor(tampered.length * at) : at]! ^= 0x01;
      const out = join(dir, `tampered-${at}`);
      const error = await caught(decryptToFile(chunked(tampered), keys, out, { engine }));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toContain('integrity check');
      expect(existsSync(out)).toBe(false);
    }
  });

  test('a truncated message is rejected as truncated and leaves no file', async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    const keys = await aliceKeys();
    for (const keep of [ciphertext.length - 1, ciphertext.length - 21, Math.floor(ciphertext.length / 2), 300]) {
      const out = join(dir, `truncated-${keep}`);
      const error = await caught(decryptToFile(chunked(ciphertext.subarray(0, keep)), keys, out, { label: 'db.pgdump.pgp', engine }));
      expect(error).toBeInstanceOf(TruncatedMessageError);
      expect(error.message).toContain('db.pgdump.pgp');
      expect(existsSync(out)).toBe(false);
    }
    const headOnly = await caught(decryptBytes(ciphertext.subarray(0, 100), keys, { engine }));
    expect(headOnly).toBeInstanceOf(TruncatedMessageError);
    expect(await caught(decryptBytes(new Uint8Array(0), keys, { engine }))).toBeInstanceOf(TruncatedMessageError);
  });

  test('input that is not an encrypted OpenPGP message', async () => {
    const keys = await aliceKeys();
    const dump = await caught(decryptBytes(new TextEncoder().encode('PGDMP\x01\x0e\x00 plaintext dump'), keys, { engine }));
    expect(dump).toBeInstanceOf(NotOpenPGPMessageError);
    expect(dump.message).toContain('unencrypted pg_dump archive');
    expect(dump.message).not.toContain('plaintext dump');
    const key = await caught(decryptBytes(new TextEncoder().encode(alice.publicKey), keys, { engine }));
    expect(key).toBeInstanceOf(NotOpenPGPMessageError);
    const packetKey = await caught(decryptBytes((await import('./fixtures.js')).testBytes(10).fill(0x99, 0, 1), keys, { engine }));
    expect(packetKey).toBeInstanceOf(NotOpenPGPMessageError);
    expect(packetKey.message).toContain('not an encrypted message');
  });

  test('an armored message (gpg --armor) decrypts too', async () => {
    const { armor, enums } = await import('openpgp');
    const ciphertext = await encryptBytes(both, data.subarray(0, 5000));
    const armored = armor(enums.armor.message, ciphertext);
    const plain = await decryptBytes(new TextEncoder().encode(armored), await loadDecryptionKeys({ passphrase: PASSPHRASE }), { engine });
    expect(Buffer.from(plain)).toEqual(Buffer.from(data.subarray(0, 5000)));
  });

  test('an abort while the message head is still arriving rejects at once', async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push(ciphertext.subarray(0, 50));
    const pending = decryptToFile(stalled, await loadDecryptionKeys({ passphrase: PASSPHRASE }), join(dir, 'stalled'), { signal: controller.signal, engine });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(stalled.destroyed).toBe(true);
    expect(existsSync(join(dir, 'stalled'))).toBe(false);
  });

  test('an aborted decryption rejects and removes the partial file', async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    const controller = new AbortController();
    const slow = new Readable({
      read() {},
    });
    // Enough for plaintext to reach the file (chunks are joined up to 1 MiB), then nothing more.
    slow.push(ciphertext.subarray(0, 2_500_000));
    const out = join(dir, 'aborted');
    const pending = decryptToFile(slow, await loadDecryptionKeys({ passphrase: PASSPHRASE }), out, { signal: controller.signal, engine });
    for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(out)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(existsSync(out)).toBe(false);
    expect(slow.destroyed).toBe(true);
  });

  test("a failing ciphertext source rejects with the source's error and removes the file", async () => {
    const ciphertext = await collect(encryptStream(both, chunked(data)));
    const source = new PassThrough();
    const out = join(dir, 'source-failed');
    const pending = decryptToFile(source, await loadDecryptionKeys({ passphrase: PASSPHRASE }), out, { engine });
    source.write(ciphertext.subarray(0, 500_000));
    await new Promise((r) => setTimeout(r, 100));
    source.destroy(new Error('socket hang up'));
    await expect(pending).rejects.toThrow('socket hang up');
    expect(existsSync(out)).toBe(false);
  });
});
