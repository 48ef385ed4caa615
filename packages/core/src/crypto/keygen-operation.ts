import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../context.js';
import type { KeygenOptions } from '../options/keygen.js';
import { LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { generateKeyPair } from './keygen.js';

/**
 * Generates the two key pairs a setup needs and writes each half to a file; only paths and
 * fingerprints are reported. The encryption pair: backups are encrypted to its public key,
 * drills decrypt with its private key. The signing pair: backups sign their manifests with its
 * private key (kept on the backup side only), drills prove a backup's origin with its public key.
 */
export async function keygen(options: KeygenOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const name = options.keyName.trim();
  const encryption = await generateKeyPair({ name, email: options.keyEmail, passphrase: options.keyPassphrase });
  const signing = await generateKeyPair({ name: `${name} (signing)`, email: options.keyEmail, passphrase: options.keyPassphrase, purpose: 'sign' });
  const dir = resolve(options.outDir);
  await mkdir(dir, { recursive: true });
  const files = {
    publicPath: join(dir, `${encryption.fingerprint}.pub.asc`),
    privatePath: join(dir, `${encryption.fingerprint}.key.asc`),
    signingPublicPath: join(dir, `${signing.fingerprint}.signing.pub.asc`),
    signingPrivatePath: join(dir, `${signing.fingerprint}.signing.key.asc`),
  };
  try {
    // `wx`: never overwrite a key someone may depend on.
    await writeFile(files.privatePath, encryption.privateKey, { mode: 0o600, flag: 'wx' });
    await writeFile(files.publicPath, encryption.publicKey, { mode: 0o644, flag: 'wx' });
    await writeFile(files.signingPrivatePath, signing.privateKey, { mode: 0o600, flag: 'wx' });
    await writeFile(files.signingPublicPath, signing.publicKey, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    throw new LifeboatError('key-file-exists', `Could not write the key files in ${dir}: ${(error as Error).message}.`, 'Choose another `out-dir`; existing key files are never overwritten.');
  }
  if (!options.keyPassphrase) reporter.warning('The private keys have no passphrase: keep the files only in a secret store.');
  await reporter.summary(
    [
      '## Lifeboat keygen',
      '',
      'Two key pairs: one to encrypt backups, one to sign them.',
      '',
      '| key | file | where it goes |',
      '| --- | --- | --- |',
      `| encryption public key \`${encryption.fingerprint}\` | \`${files.publicPath}\` | \`recipients\` of the backup (not secret) |`,
      `| encryption private key | \`${files.privatePath}\` | the \`identity\` secret of drills and restores; never commit it |`,
      `| signing private key \`${signing.fingerprint}\` | \`${files.signingPrivatePath}\` | the \`signing-key\` secret of the backup job only; never give it to drills |`,
      `| signing public key | \`${files.signingPublicPath}\` | \`signing-public-key\` of drills and restores (not secret) |`,
      '',
      'Drills and restores refuse backups that are not signed by the signing key. Whoever holds the signing private key can make backups that drills accept: keep it where only the backup job can read it.',
      '',
    ].join('\n'),
  );
  return {
    ok: true,
    outputs: {
      fingerprint: encryption.fingerprint,
      'public-key-path': files.publicPath,
      'private-key-path': files.privatePath,
      'signing-fingerprint': signing.fingerprint,
      'signing-public-key-path': files.signingPublicPath,
      'signing-private-key-path': files.signingPrivatePath,
    },
  };
}
