import { describe, expect, it } from 'vitest';
import { backupOperation } from './backup.js';
import { drillOperation } from './drill.js';
import { secretFlagWarnings } from './secret-flags.js';

const ARMORED = '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxcASBGZ...\n-----END PGP PRIVATE KEY BLOCK-----\n';

describe('secretFlagWarnings', () => {
  it.each([
    ['a passphrase', drillOperation, { passphrase: 'correct horse' }, ['--passphrase', 'LIFEBOAT_PASSPHRASE']],
    ['an inline private key', drillOperation, { identity: ARMORED }, ['--identity', 'LIFEBOAT_IDENTITY', 'path of a file']],
    ['a URL with a password', backupOperation, { 'database-url': 'postgres://app:s3cret@db:5432/app' }, ['--database-url', 'LIFEBOAT_DATABASE_URL']],
    ['a URL with a password parameter', drillOperation, { 'target-database-url': 'postgres://db/app?password=x' }, ['LIFEBOAT_TARGET_DATABASE_URL']],
    ['a signing key passphrase', backupOperation, { 'signing-key-passphrase': 'signing-pass-42' }, ['LIFEBOAT_SIGNING_KEY_PASSPHRASE']],
  ])('warns about %s, naming the env var', (_what, operation, flags, words) => {
    const warnings = secretFlagWarnings(operation, flags);
    expect(warnings).toHaveLength(1);
    for (const word of words) expect(warnings[0]).toContain(word);
    for (const value of Object.values(flags)) expect(warnings[0]).not.toContain(value);
  });

  it.each([
    ['a key given as a path', drillOperation, { identity: '/run/secrets/lifeboat.key.asc' }],
    ['a URL without a password', backupOperation, { 'database-url': 'postgres://app@db:5432/app' }],
    ['options that are not secret', drillOperation, { store: '/backups', name: 'app', 'signing-public-key': '/keys/signing.pub.asc' }],
    ['no flags at all', drillOperation, {}],
  ])('is silent for %s', (_what, operation, flags) => {
    expect(secretFlagWarnings(operation, flags)).toEqual([]);
  });
});
