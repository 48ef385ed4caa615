import { existsSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { createGpgHome, type GpgHome } from './gpg.js';

describe('createGpgHome (test harness self-test)', () => {
  const homes: GpgHome[] = [];
  afterAll(async () => {
    for (const home of homes) await home.cleanup();
  });

  test('generates a key pair in a throwaway home that round-trips with gpg alone', async () => {
    const alice = await createGpgHome({ name: 'Alice', email: 'alice@example.org' });
    homes.push(alice);
    expect(alice.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(alice.home.length).toBeLessThan(60);
    expect(alice.publicKeyArmored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(alice.secretKeyArmored).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');

    const listing = (await alice.gpg(['--with-colons', '--list-keys', alice.fingerprint])).stdout.toString();
    expect(listing).toContain('uid:');
    expect(listing).toContain('Alice <alice@example.org>');
    // ed25519 primary (algo 22) and an encryption subkey (algo 18, cv25519).
    expect(listing).toMatch(/^sub:[^:]*:\d+:18:/m);

    const encrypted = await alice.gpg(['--encrypt', '--recipient', alice.fingerprint, '--trust-model', 'always'], 'hello');
    expect(encrypted.code).toBe(0);
    const decrypted = await alice.gpg(['--passphrase', alice.passphrase, '--decrypt'], encrypted.stdout);
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.toString()).toBe('hello');

    const wrong = await alice.gpg(['--passphrase', 'not-the-passphrase', '--decrypt'], encrypted.stdout);
    expect(wrong.code).not.toBe(0);
  });

  test('exported keys import into another home; the secret key needs its passphrase', async () => {
    const alice = await createGpgHome();
    const bob = await createGpgHome({ generateKey: false });
    homes.push(alice, bob);
    expect(bob.fingerprint).toBe('');
    await bob.importKey(alice.secretKeyArmored);
    const encrypted = await bob.gpg(['--encrypt', '--recipient', alice.fingerprint, '--trust-model', 'always'], 'for alice');
    expect(encrypted.code).toBe(0);
    const decrypted = await bob.gpg(['--passphrase', alice.passphrase, '--decrypt'], encrypted.stdout);
    expect(decrypted.stdout.toString()).toBe('for alice');
    const withoutPassphrase = await bob.gpg(['--decrypt'], encrypted.stdout);
    expect(withoutPassphrase.code).not.toBe(0);
    await expect(bob.importKey('not a key')).rejects.toThrow(/gpg --import failed/);
  });

  test('options: unprotected RSA key, sign-only key, expiring key', async () => {
    const rsa = await createGpgHome({ algorithm: 'rsa3072', passphrase: '' });
    const signOnly = await createGpgHome({ usage: 'sign' });
    const expiring = await createGpgHome({ expire: '10d' });
    homes.push(rsa, signOnly, expiring);
    const rsaListing = (await rsa.gpg(['--with-colons', '--list-keys'])).stdout.toString();
    expect(rsaListing).toMatch(/^pub:[^:]*:3072:1:/m);
    const decrypted = await rsa.gpg(['--decrypt'], (await rsa.gpg(['--encrypt', '-r', rsa.fingerprint, '--trust-model', 'always'], 'x')).stdout);
    expect(decrypted.stdout.toString()).toBe('x');
    expect((await signOnly.gpg(['--with-colons', '--list-keys'])).stdout.toString()).not.toMatch(/^sub:/m);
    const expiringListing = (await expiring.gpg(['--with-colons', '--list-keys'])).stdout.toString();
    const expires = Number(expiringListing.split('\n').find((l) => l.startsWith('pub:'))?.split(':')[6]);
    expect(expires * 1000).toBeGreaterThan(Date.now());
  });

  test('cleanup stops the agent and removes the home', async () => {
    const home = await createGpgHome();
    const socket = (await home.gpg(['--list-secret-keys'])).code === 0
      ? (await runGpgconf(home.home)).trim()
      : '';
    expect(socket).not.toBe('');
    expect(existsSync(socket)).toBe(true);
    await home.cleanup();
    expect(existsSync(home.home)).toBe(false);
    expect(existsSync(socket)).toBe(false);
  });
});

async function runGpgconf(home: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) =>
    execFile('gpgconf', ['--homedir', home, '--list-dirs', 'agent-socket'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}
