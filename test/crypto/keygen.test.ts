import { readKey, readPrivateKey } from 'openpgp';
import { describe, expect, test } from 'vitest';
import { generateKeyPair, KeyPassphraseError, loadDecryptionKeys, loadRecipients } from '../../packages/core/src/crypto/index.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { redact } from '../../packages/core/src/report/secrets.js';
import { caught, secretLines } from './fixtures.js';

describe('generateKeyPair', () => {
  test('a v4 ed25519/cv25519 key that Lifeboat accepts as a recipient and as an identity', async () => {
    const passphrase = 'a passphrase for the new key';
    const pair = await generateKeyPair({ name: 'Lifeboat backups (prod)', email: 'ops@example.org', passphrase });
    const publicKey = await readKey({ armoredKey: pair.publicKey });
    expect(publicKey.keyPacket.version).toBe(4);
    expect(publicKey.getFingerprint()).toBe(pair.fingerprint);
    expect(publicKey.getAlgorithmInfo()).toEqual({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    expect((await publicKey.getEncryptionKey()).getAlgorithmInfo()).toEqual({ algorithm: 'ecdh', curve: 'curve25519Legacy' });
    expect(publicKey.getUserIDs()).toEqual(['Lifeboat backups (prod) <ops@example.org>']);
    expect(pair.publicKey).not.toContain('PRIVATE');

    const [recipient] = await loadRecipients(pair.publicKey);
    expect(recipient!.fingerprint).toBe(pair.fingerprint);
    expect(recipient!.algorithm).toBe('ed25519');
    expect(recipient!.encryptionAlgorithm).toBe('cv25519');

    // Protected: unusable without the passphrase.
    expect((await readPrivateKey({ armoredKey: pair.privateKey })).isDecrypted()).toBe(false);
    expect(await caught(loadDecryptionKeys({ identity: pair.privateKey }))).toBeInstanceOf(KeyPassphraseError);
    expect((await loadDecryptionKeys({ identity: pair.privateKey, identityPassphrase: passphrase })).identities[0]!.fingerprint).toBe(pair.fingerprint);

    // The private key and its passphrase are registered secrets.
    const leak = `key: ${pair.privateKey} passphrase: ${passphrase}`;
    const shown = redact(leak);
    for (const line of secretLines(pair.privateKey)) expect(shown).not.toContain(line);
    expect(shown).not.toContain(passphrase);
  });

  test('without a passphrase the private key is unprotected; e-mail is optional', async () => {
    const pair = await generateKeyPair({ name: 'Drill runner' });
    expect((await readPrivateKey({ armoredKey: pair.privateKey })).isDecrypted()).toBe(true);
    expect((await readKey({ armoredKey: pair.publicKey })).getUserIDs()).toEqual(['Drill runner']);
  });

  test('refuses an empty name, a name with angle brackets, and a malformed e-mail', async () => {
    expect(await caught(generateKeyPair({ name: '  ' }))).toBeInstanceOf(OptionError);
    expect(await caught(generateKeyPair({ name: 'Ops <ops@example.org>' }))).toBeInstanceOf(OptionError);
    const email = await caught(generateKeyPair({ name: 'Ops', email: 'ops@localhost' }));
    expect(email).toBeInstanceOf(OptionError);
    expect(email.message).toContain('ops@localhost');
  });
});
