import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  generateKeyPair,
  KeyPassphraseError,
  PrivateKeyError,
  PublicKeyError,
  signDetached,
  SignatureError,
  verifyDetached,
} from '../../packages/core/src/crypto/index.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { caught, makeKey, revoked, secretLines, tempDir, type TestKey } from './fixtures.js';

const manifest = new TextEncoder().encode('{\n  "format": 1,\n  "id": "20260101T000000Z-abcd"\n}\n');

describe('detached manifest signatures', () => {
  let signer: TestKey;
  let other: TestKey;
  const homes: GpgHome[] = [];
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    [signer, other] = await Promise.all([makeKey({ name: 'Signer', passphrase: 'signing key passphrase' }), makeKey({ name: 'Other' })]);
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    for (const home of homes) await home.cleanup();
    await cleanup();
  });

  test('sign, then verify with the public key (inline or a path, among others)', async () => {
    const { signature, fingerprint } = await signDetached(manifest, { signingKey: signer.privateKey, passphrase: signer.passphrase });
    expect(signature).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(fingerprint).toBe(signer.fingerprint);
    expect(await verifyDetached(manifest, signature, signer.publicKey)).toEqual({ fingerprint: signer.fingerprint });
    await writeFile(join(dir, 'signer.asc'), signer.publicKey);
    expect(await verifyDetached(manifest, signature, `${other.publicKey}\nsigner.asc`, { cwd: dir })).toEqual({ fingerprint: signer.fingerprint });
  });

  test('changed data fails as a mismatch', async () => {
    const { signature } = await signDetached(manifest, { signingKey: signer.privateKey, passphrase: signer.passphrase });
    const changed = new Uint8Array(manifest);
    changed[10] = changed[10]! ^ 0x01;
    const error = await caught(verifyDetached(changed, signature, signer.publicKey));
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).problem).toBe('mismatch');
  });

  test('a signature by a key not given: unknown-key naming the signer id and the keys given', async () => {
    const { signature } = await signDetached(manifest, { signingKey: other.privateKey });
    const error = await caught(verifyDetached(manifest, signature, signer.publicKey));
    expect((error as SignatureError).problem).toBe('unknown-key');
    expect(error.message).toContain(signer.fingerprint);
    expect(error.message).toMatch(/key id [0-9A-F]{16}/);
  });

  test('no keys, unreadable signature, a private key as verification key, a revoked signer', async () => {
    const { signature } = await signDetached(manifest, { signingKey: other.privateKey });
    expect(((await caught(verifyDetached(manifest, signature, ' '))) as SignatureError).problem).toBe('no-keys');
    expect(((await caught(verifyDetached(manifest, 'not a signature', other.publicKey))) as SignatureError).problem).toBe('unreadable');
    const pasted = await caught(verifyDetached(manifest, signature, other.privateKey));
    expect((pasted as PublicKeyError).problem).toBe('private-key');
    expect(pasted.message).toContain('signing-public-key');
    const gone = await caught(verifyDetached(manifest, signature, await revoked(other)));
    expect((gone as SignatureError).problem).toBe('key-unusable');
    expect(gone.message).toContain('revoked');
  });

  test('signing key problems: wrong or missing passphrase, public key, several keys; no secret in the text', async () => {
    const wrong = await caught(signDetached(manifest, { signingKey: signer.privateKey, passphrase: 'wrong signing passphrase' }));
    expect(wrong).toBeInstanceOf(KeyPassphraseError);
    expect(wrong.message).toContain('`signing-key-passphrase` does not unlock');
    const missing = await caught(signDetached(manifest, { signingKey: signer.privateKey }));
    expect(missing).toBeInstanceOf(KeyPassphraseError);
    const publicOnly = await caught(signDetached(manifest, { signingKey: signer.publicKey }));
    expect(publicOnly).toBeInstanceOf(PrivateKeyError);
    const several = await caught(signDetached(manifest, { signingKey: `${other.privateKey}\n${other.privateKey}` }));
    expect(several).toBeInstanceOf(PrivateKeyError);
    expect(several.message).toContain('exactly one');
    for (const error of [wrong, missing, publicOnly, several]) {
      const text = `${error.message} ${error.fix}`;
      for (const line of [...secretLines(signer.privateKey), ...secretLines(other.privateKey)]) expect(text).not.toContain(line);
      expect(text).not.toContain(signer.passphrase!);
      expect(text).not.toContain('wrong signing passphrase');
    }
  });

  test('gpg --verify accepts a Lifeboat signature, rejects it on changed data; Lifeboat verifies gpg --detach-sign', async () => {
    const gpgSigner = await createGpgHome({ name: 'Release Signer', email: 'sign@example.org' });
    homes.push(gpgSigner);
    const pair = await generateKeyPair({ name: 'Manifest signer' });
    const verifier = await createGpgHome({ generateKey: false });
    homes.push(verifier);
    await verifier.importKey(pair.publicKey);

    const dataPath = join(dir, 'manifest.json');
    const sigPath = join(dir, 'manifest.json.asc');
    await writeFile(dataPath, manifest);
    const { signature } = await signDetached(manifest, { signingKey: pair.privateKey });
    await writeFile(sigPath, signature);
    const verified = await verifier.gpg(['--status-fd', '2', '--verify', sigPath, dataPath]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain(`VALIDSIG ${pair.fingerprint.toUpperCase()}`);
    await writeFile(dataPath, Buffer.concat([Buffer.from(manifest), Buffer.from(' ')]));
    const tampered = await verifier.gpg(['--status-fd', '2', '--verify', sigPath, dataPath]);
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toContain('BADSIG');

    await writeFile(dataPath, manifest);
    const gpgSig = await gpgSigner.gpg(['--passphrase', gpgSigner.passphrase, '--armor', '--detach-sign', '--output', '-', dataPath]);
    expect(gpgSig.code, gpgSig.stderr).toBe(0);
    expect(await verifyDetached(manifest, gpgSig.stdout.toString(), gpgSigner.publicKeyArmored)).toEqual({ fingerprint: gpgSigner.fingerprint });
    // Lifeboat signs with the key exported from gpg, too.
    const fromGpgKey = await signDetached(manifest, { signingKey: gpgSigner.secretKeyArmored, passphrase: gpgSigner.passphrase });
    expect(fromGpgKey.fingerprint).toBe(gpgSigner.fingerprint);
    await writeFile(sigPath, fromGpgKey.signature);
    expect((await gpgSigner.gpg(['--verify', sigPath, dataPath])).code).toBe(0);
  });
});
