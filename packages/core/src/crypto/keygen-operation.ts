import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../context.js';
import type { KeygenOptions } from '../options/keygen.js';
import { LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { generateAgeIdentity } from './age/index.js';
import { generateKeyPair } from './keygen.js';
import { registerSecret } from '../report/secrets.js';

/** The new encryption pair: what goes into the two files, and how the summary names it. */
interface EncryptionPair {
  readonly id: string;
  readonly publicText: string;
  readonly privateText: string;
  readonly publicFile: string;
  readonly privateFile: string;
  readonly label: string;
}

/** An OpenPGP pair, or an age identity written as `age-keygen` writes it (comments, then the secret line). */
async function encryptionPair(options: KeygenOptions, name: string, now: Date): Promise<EncryptionPair> {
  if (options.type === 'age') {
    const { identity, recipient } = generateAgeIdentity();
    registerSecret(identity);
    const tail = recipient.slice(-8);
    return {
      id: recipient,
      publicText: `${recipient}\n`,
      privateText: `# created: ${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`,
      publicFile: `age-${tail}.recipient.txt`,
      privateFile: `age-${tail}.key.txt`,
      label: `age recipient \`${recipient}\``,
    };
  }
  const pair = await generateKeyPair({ name, email: options.keyEmail, passphrase: options.keyPassphrase });
  return {
    id: pair.fingerprint,
    publicText: pair.publicKey,
    privateText: pair.privateKey,
    publicFile: `${pair.fingerprint}.pub.asc`,
    privateFile: `${pair.fingerprint}.key.asc`,
    label: `encryption public key \`${pair.fingerprint}\``,
  };
}

/**
 * Generates the two key pairs a setup needs and writes each half to a file; only paths and
 * fingerprints are reported. The encryption pair: backups are encrypted to its public key,
 * drills decrypt with its private key. The signing pair: backups sign their manifests with its
 * private key (kept on the backup side only), drills prove a backup's origin with its public key.
 */
export async function keygen(options: KeygenOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const name = options.keyName.trim();
  const encryption = await encryptionPair(options, name, context.now());
  const signing = await generateKeyPair({ name: `${name} (signing)`, email: options.keyEmail, passphrase: options.keyPassphrase, purpose: 'sign' });
  const dir = resolve(options.outDir);
  await mkdir(dir, { recursive: true });
  const files = {
    publicPath: join(dir, encryption.publicFile),
    privatePath: join(dir, encryption.privateFile),
    signingPublicPath: join(dir, `${signing.fingerprint}.signing.pub.asc`),
    signingPrivatePath: join(dir, `${signing.fingerprint}.signing.key.asc`),
  };
  try {
    // `wx`: never overwrite a key someone may depend on.
    await writeFile(files.privatePath, encryption.privateText, { mode: 0o600, flag: 'wx' });
    await writeFile(files.publicPath, encryption.publicText, { mode: 0o644, flag: 'wx' });
    await writeFile(files.signingPrivatePath, signing.privateKey, { mode: 0o600, flag: 'wx' });
    await writeFile(files.signingPublicPath, signing.publicKey, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    throw new LifeboatError('key-file-exists', `Could not write the key files in ${dir}: ${(error as Error).message}.`, 'Choose another `out-dir`; existing key files are never overwritten.');
  }
  if (!options.keyPassphrase) reporter.warning('The private keys have no passphrase: keep the files only in a secret store.');
  else if (options.type === 'age') reporter.warning('The age identity file has no passphrase (only the signing key is protected): keep it only in a secret store.');
  await reporter.summary(
    [
      '## Lifeboat keygen',
      '',
      'Two key pairs: one to encrypt backups, one to sign them.',
      '',
      '| key | file | where it goes |',
      '| --- | --- | --- |',
      `| ${encryption.label} | \`${files.publicPath}\` | \`recipients\` of the backup (not secret) |`,
      `| encryption private key${options.type === 'age' ? ' (age identity)' : ''} | \`${files.privatePath}\` | the \`identity\` secret of drills and restores; never commit it |`,
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
      ...(options.type === 'age' ? { 'age-recipient': encryption.id } : { fingerprint: encryption.id }),
      'public-key-path': files.publicPath,
      'private-key-path': files.privatePath,
      'signing-fingerprint': signing.fingerprint,
      'signing-public-key-path': files.signingPublicPath,
      'signing-private-key-path': files.signingPrivatePath,
    },
  };
}
