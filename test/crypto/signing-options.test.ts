import { describe, expect, test } from 'vitest';
import { signDetached, verifyDetached } from '../../packages/core/src/crypto/index.js';
import { defineOperation, resolveOptions } from '../../packages/core/src/options/define.js';
import { signatureVerificationOptions, signingOptions } from '../../packages/core/src/options/signing.js';
import { cliSource } from '../../packages/core/src/options/sources.js';
import { redact } from '../../packages/core/src/report/secrets.js';
import { makeKey, secretLines } from './fixtures.js';

const signing = defineOperation({ command: 'sign-sample', summary: 'Sample.', options: signingOptions, outputs: {} });
const verifying = defineOperation({ command: 'verify-sample', summary: 'Sample.', options: signatureVerificationOptions, outputs: {} });

describe('signing option groups', () => {
  test('signing-key and its passphrase are secrets, kept as written, and feed signDetached/verifyDetached', async () => {
    const key = await makeKey({ name: 'Manifest Signer', passphrase: 'manifest signing passphrase' });
    const secrets: string[] = [];
    const options = resolveOptions(
      signing,
      cliSource({ 'signing-key': key.privateKey, 'signing-key-passphrase': key.passphrase! }, {}),
      (value) => secrets.push(value),
    );
    expect(options.signingKey).toBe(key.privateKey);
    expect(options.signingKeyPassphrase).toBe(key.passphrase);
    expect(secrets).toEqual([key.privateKey, key.passphrase]);
    expect(signingOptions['signing-key'].secret).toBe(true);
    expect(signingOptions['signing-key-passphrase'].secret).toBe(true);

    const data = new TextEncoder().encode('manifest');
    const { signature } = await signDetached(data, { signingKey: options.signingKey!, passphrase: options.signingKeyPassphrase });
    // signDetached registers what it read: a stray print of either is redacted.
    const shown = redact(`${key.privateKey}\n${key.passphrase}`);
    for (const line of secretLines(key.privateKey)) expect(shown).not.toContain(line);
    expect(shown).not.toContain(key.passphrase);

    const verify = resolveOptions(verifying, cliSource({ 'signing-public-key': key.publicKey }, {}));
    expect(signatureVerificationOptions['signing-public-key'].secret).toBeUndefined();
    expect(await verifyDetached(data, signature, verify.signingPublicKey!)).toEqual({ fingerprint: key.fingerprint });
  });

  test('keys are optional to the schema; allow-unsigned is off unless set', () => {
    expect(resolveOptions(signing, cliSource({}, {}))).toEqual({});
    expect(resolveOptions(verifying, cliSource({}, {}))).toEqual({ allowUnsigned: false });
    expect(resolveOptions(verifying, cliSource({}, { LIFEBOAT_ALLOW_UNSIGNED: 'true' }))).toEqual({ allowUnsigned: true });
  });
});
