import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decryptToFile,
  encryptStream,
  generateKeyPair,
  IntegrityError,
  loadDecryptionKeys,
  loadRecipients,
  prepareEncryption,
  PublicKeyError,
  TruncatedMessageError,
  WrongKeyError,
  WrongPassphraseError,
  type EncryptionPlan,
} from '../../packages/core/src/crypto/index.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { caught, chunked, makeKey, tempDir, testBytes } from './fixtures.js';

const PASSPHRASE = 'interop passphrase, long enough';

/** Lifeboat's decryption runs with openpgp.js alone and with the gpg binary: both must read what gpg writes. */
const ENGINES = ['openpgp', 'gpg'] as const;

/** Real GnuPG 2.2 on both sides of every message. */
describe('GnuPG interoperability', () => {
  const homes: GpgHome[] = [];
  let alice: GpgHome; // ed25519/cv25519, passphrase-protected
  let bob: GpgHome; // rsa3072, unprotected
  let stranger: GpgHome; // an empty home: only a passphrase can help it
  let dir: string;
  let cleanup: () => Promise<void>;
  const data = testBytes(2 * 1024 * 1024 + 3, 7);
  const sha = createHash('sha256').update(data).digest('hex');
  let plainPath: string;

  beforeAll(async () => {
    [alice, bob, stranger] = await Promise.all([
      createGpgHome({ name: 'Alice', email: 'alice@example.org' }),
      createGpgHome({ name: 'Bob', email: 'bob@example.org', algorithm: 'rsa3072', passphrase: '' }),
      createGpgHome({ generateKey: false }),
    ]);
    homes.push(alice, bob, stranger);
    ({ dir, cleanup } = await tempDir());
    plainPath = join(dir, 'plain.bin');
    await writeFile(plainPath, data);
  });
  afterAll(async () => {
    for (const home of homes) await home.cleanup();
    await cleanup();
  });

  async function lifeboatEncrypt(plan: EncryptionPlan, name: string): Promise<string> {
    const out = join(dir, name);
    await pipeline(encryptStream(plan, createReadStream(plainPath)), createWriteStream(out));
    return out;
  }

  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const aliceIdentity = () => loadDecryptionKeys({ identity: alice.secretKeyArmored, identityPassphrase: alice.passphrase });

  test('Lifeboat encrypts to two recipients and a passphrase; gpg decrypts with each alone', async () => {
    const plan = await prepareEncryption(
      { encryption: 'openpgp', recipients: `${alice.publicKeyArmored}\n${bob.publicKeyArmored}`, passphrase: PASSPHRASE },
      new MemoryReporter(),
    );
    const file = await lifeboatEncrypt(plan, 'both.pgp');

    const byAlice = await alice.gpg(['--passphrase', alice.passphrase, '--decrypt', file]);
    expect(byAlice.code, byAlice.stderr).toBe(0);
    expect(sha256(byAlice.stdout)).toBe(sha);
    const byBob = await bob.gpg(['--decrypt', file]);
    expect(byBob.code, byBob.stderr).toBe(0);
    expect(sha256(byBob.stdout)).toBe(sha);
    const byPassphrase = await stranger.gpg(['--passphrase', PASSPHRASE, '--decrypt', file]);
    expect(byPassphrase.code, byPassphrase.stderr).toBe(0);
    expect(sha256(byPassphrase.stdout)).toBe(sha);

    // What gpg sees: v3 session keys for both subkeys, one passphrase slot, MDC-protected data, no compression.
    const packets = (await bob.gpg(['--list-packets', file])).stdout.toString();
    for (const recipient of plan.recipients) expect(packets.toLowerCase()).toContain(`keyid ${recipient.encryptionKeyId}`);
    expect(packets).toContain(':symkey enc packet: version 4');
    expect(packets).toContain('mdc_method: 2');
    expect(packets).toContain(':literal data packet:');
    expect(packets).not.toContain('compressed packet');
  });

  test('Lifeboat encrypts with a passphrase only; gpg decrypts it, and refuses a wrong one', async () => {
    const plan = await prepareEncryption({ encryption: 'openpgp', passphrase: PASSPHRASE }, new MemoryReporter());
    const file = await lifeboatEncrypt(plan, 'symmetric.pgp');
    const ok = await stranger.gpg(['--passphrase', PASSPHRASE, '--decrypt', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(sha256(ok.stdout)).toBe(sha);
    const wrong = await stranger.gpg(['--passphrase', 'not it', '--decrypt', file]);
    expect(wrong.code).not.toBe(0);
  });

  test.for(ENGINES)('gpg --encrypt (compressed, to several recipients), --symmetric, both, --armor, --throw-keyids, --sign: Lifeboat decrypts (decrypting with %s)', async (engine) => {
    const cases: { name: string; args: string[]; keys: () => ReturnType<typeof loadDecryptionKeys> }[] = [
      { name: 'to-alice', args: ['--encrypt', '-r', alice.fingerprint], keys: aliceIdentity },
      { name: 'to-both', args: ['--encrypt', '-r', alice.fingerprint, '-r', bob.fingerprint], keys: () => loadDecryptionKeys({ identity: bob.secretKeyArmored }) },
      { name: 'symmetric', args: ['--passphrase', PASSPHRASE, '--symmetric'], keys: () => loadDecryptionKeys({ passphrase: PASSPHRASE }) },
      { name: 'both-by-passphrase', args: ['--passphrase', PASSPHRASE, '--encrypt', '--symmetric', '-r', alice.fingerprint], keys: () => loadDecryptionKeys({ passphrase: PASSPHRASE }) },
      { name: 'armored', args: ['--armor', '--encrypt', '-r', bob.fingerprint], keys: () => loadDecryptionKeys({ identity: bob.secretKeyArmored }) },
      { name: 'hidden-recipient', args: ['--throw-keyids', '--encrypt', '-r', alice.fingerprint], keys: aliceIdentity },
    ];
    // Signed and encrypted by Alice herself: the signature is not checked, and must not upset decryption.
    const signedPath = join(dir, 'gpg-signed.pgp');
    const signed = await alice.gpg(['--passphrase', alice.passphrase, '--trust-model', 'always', '--output', signedPath, '--sign', '--encrypt', '-r', alice.fingerprint, plainPath]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(await decryptToFile(createReadStream(signedPath), await aliceIdentity(), join(dir, 'gpg-signed.out'), { engine })).toEqual({ bytes: data.length, sha256: sha });

    const sender = await createGpgHome({ generateKey: false });
    homes.push(sender);
    await sender.importKey(alice.publicKeyArmored);
    await sender.importKey(bob.publicKeyArmored);
    for (const { name, args, keys } of cases) {
      const cipherPath = join(dir, `gpg-${name}.pgp`);
      const made = await sender.gpg(['--trust-model', 'always', '--output', cipherPath, ...args, plainPath]);
      expect(made.code, made.stderr).toBe(0);
      const out = join(dir, `gpg-${name}.out`);
      const result = await decryptToFile(createReadStream(cipherPath), await keys(), out, { engine });
      expect(result, name).toEqual({ bytes: data.length, sha256: sha });
      expect(sha256(await readFile(out))).toBe(sha);
    }
  });

  test.for(ENGINES)('gpg --symmetric with a wrong passphrase: WrongPassphraseError, every time, and no file (decrypting with %s)', async (engine) => {
    const cipherPath = join(dir, 'gpg-sym-wrong.pgp');
    expect((await stranger.gpg(['--passphrase', PASSPHRASE, '--output', cipherPath, '--symmetric', plainPath])).code).toBe(0);
    // gpg writes no encrypted session key: a wrong passphrase yields a wrong key, caught by the quick check.
    for (let i = 0; i < 3; i++) {
      const out = join(dir, `sym-wrong-${i}`);
      const error = await caught(decryptToFile(createReadStream(cipherPath), await loadDecryptionKeys({ passphrase: `wrong ${i} passphrase` }), out, { engine }));
      expect(error).toBeInstanceOf(WrongPassphraseError);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('gpg --symmetric with ciphers the quick check cannot judge (Twofish, CAST5): right and wrong passphrases', async () => {
    for (const cipher of ['TWOFISH', 'CAST5']) {
      const cipherPath = join(dir, `gpg-sym-${cipher}.pgp`);
      const made = await stranger.gpg(['--passphrase', PASSPHRASE, '--cipher-algo', cipher, '--output', cipherPath, '--symmetric', plainPath]);
      expect(made.code, made.stderr).toBe(0);
      const out = join(dir, `sym-${cipher}.out`);
      expect(await decryptToFile(createReadStream(cipherPath), await loadDecryptionKeys({ passphrase: PASSPHRASE }), out)).toEqual({ bytes: data.length, sha256: sha });
      const failed = join(dir, `sym-${cipher}-wrong.out`);
      const error = await caught(decryptToFile(createReadStream(cipherPath), await loadDecryptionKeys({ passphrase: 'a wrong passphrase' }), failed));
      expect(error, cipher).toBeInstanceOf(WrongPassphraseError);
      expect(existsSync(failed)).toBe(false);
    }
  });

  test.for(ENGINES)('gpg --encrypt to Bob, Lifeboat given Alice: WrongKeyError naming the ids gpg lists (decrypting with %s)', async (engine) => {
    const cipherPath = join(dir, 'gpg-to-bob.pgp');
    const sender = await createGpgHome({ generateKey: false });
    homes.push(sender);
    await sender.importKey(bob.publicKeyArmored);
    expect((await sender.gpg(['--trust-model', 'always', '--output', cipherPath, '--encrypt', '-r', bob.fingerprint, plainPath])).code).toBe(0);
    const listed = (await sender.gpg(['--list-packets', cipherPath])).stdout.toString();
    const bobSubkey = /keyid ([0-9A-F]{16})/.exec(listed)![1]!;
    const keys = await aliceIdentity();
    const error = await caught(decryptToFile(createReadStream(cipherPath), keys, join(dir, 'to-bob.out'), { engine }));
    expect(error).toBeInstanceOf(WrongKeyError);
    expect(error.message).toContain(bobSubkey);
    expect(error.message).toContain(alice.fingerprint);
    expect(error.message).toContain(keys.identities[0]!.decryptionKeyIds[0]!.toUpperCase());
    expect(`${error.message} ${error.fix}`).not.toContain(alice.passphrase);
  });

  test.for(ENGINES)('a flipped byte or a cut in a gpg message: rejected, no file left (decrypting with %s)', async (engine) => {
    const cipherPath = join(dir, 'gpg-damaged.pgp');
    const sender = await createGpgHome({ generateKey: false });
    homes.push(sender);
    await sender.importKey(alice.publicKeyArmored);
    expect((await sender.gpg(['--trust-model', 'always', '-z', '0', '--output', cipherPath, '--encrypt', '-r', alice.fingerprint, plainPath])).code).toBe(0);
    const ciphertext = await readFile(cipherPath);
    const keys = await aliceIdentity();
    const flipped = Buffer.from(ciphertext);
    flipped[Math.floor(flipped.length * 0.6)]! ^= 0x40;
    const out = join(dir, 'damaged.out');
    expect(await caught(decryptToFile(chunked(flipped), keys, out, { engine }))).toBeInstanceOf(IntegrityError);
    expect(existsSync(out)).toBe(false);
    // gpg agrees it is damaged.
    await writeFile(join(dir, 'flipped.pgp'), flipped);
    expect((await alice.gpg(['--passphrase', alice.passphrase, '--decrypt', join(dir, 'flipped.pgp')])).code).not.toBe(0);

    expect(await caught(decryptToFile(chunked(ciphertext.subarray(0, ciphertext.length - 100)), keys, out, { engine }))).toBeInstanceOf(TruncatedMessageError);
    expect(existsSync(out)).toBe(false);
  });

  test.for(ENGINES)('keygen: the key imports into gpg, gpg encrypts to it and Lifeboat decrypts; Lifeboat encrypts to it and gpg decrypts (decrypting with %s)', async (engine) => {
    const passphrase = 'keygen passphrase for interop';
    const pair = await generateKeyPair({ name: 'Lifeboat backups', email: 'backups@example.org', passphrase });
    expect(pair.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    const home = await createGpgHome({ generateKey: false });
    homes.push(home);
    await home.importKey(pair.publicKey);
    await home.gpg(['--passphrase', passphrase, '--import'], pair.privateKey).then((r) => expect(r.code, r.stderr).toBe(0));
    const listing = (await home.gpg(['--with-colons', '--list-secret-keys'])).stdout.toString();
    expect(listing.toLowerCase()).toContain(`fpr:::::::::${pair.fingerprint}:`);
    expect(listing).toContain('Lifeboat backups <backups@example.org>');

    const fromGpg = join(dir, 'to-keygen.pgp');
    expect((await home.gpg(['--trust-model', 'always', '--output', fromGpg, '--encrypt', '-r', pair.fingerprint, plainPath])).code).toBe(0);
    const keys = await loadDecryptionKeys({ identity: pair.privateKey, identityPassphrase: passphrase });
    expect(await decryptToFile(createReadStream(fromGpg), keys, join(dir, 'keygen.out'), { engine })).toEqual({ bytes: data.length, sha256: sha });

    const plan = await prepareEncryption({ encryption: 'openpgp', recipients: pair.publicKey }, new MemoryReporter());
    const toGpg = await lifeboatEncrypt(plan, 'from-lifeboat-to-keygen.pgp');
    const decrypted = await home.gpg(['--passphrase', passphrase, '--decrypt', toGpg]);
    expect(decrypted.code, decrypted.stderr).toBe(0);
    expect(sha256(decrypted.stdout)).toBe(sha);
    // The private key really is protected: gpg without the passphrase cannot use it.
    expect((await home.gpg(['--decrypt', toGpg])).code).not.toBe(0);
  });

  test('keys gpg made: a sign-only key and a revoked key are refused', async () => {
    const signer = await createGpgHome({ usage: 'sign' });
    homes.push(signer);
    const signOnly = await caught(loadRecipients(signer.publicKeyArmored));
    expect((signOnly as PublicKeyError).problem).toBe('no-encryption-subkey');
    expect(signOnly.message).toContain(signer.fingerprint);

    const revokedHome = await createGpgHome({ name: 'Gone' });
    homes.push(revokedHome);
    const revs = join(revokedHome.home, 'openpgp-revocs.d');
    const certificate = (await readFile(join(revs, (await readdir(revs))[0]!), 'utf8')).replace(/^:-----BEGIN/m, '-----BEGIN');
    await revokedHome.importKey(certificate);
    const exported = (await revokedHome.gpg(['--armor', '--export', revokedHome.fingerprint])).stdout.toString();
    const revoked = await caught(loadRecipients(exported));
    expect((revoked as PublicKeyError).problem).toBe('revoked');
    expect(revoked.message).toContain('Gone <test@example.org>');
  });

  test('the RFC 9580 keys Lifeboat refuses are indeed unreadable for this gpg', async () => {
    const home = await createGpgHome({ generateKey: false });
    homes.push(home);
    for (const key of [await makeKey({ type: 'curve25519', v6: true }), await makeKey({ type: 'curve25519' })]) {
      expect((await caught(loadRecipients(key.publicKey)) as PublicKeyError).problem).toBe('unsupported-version');
      await home.gpg(['--import'], key.publicKey);
      const listing = await home.gpg(['--with-colons', '--list-keys', key.fingerprint]);
      expect(listing.code).not.toBe(0);
    }
  });
});
