import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../context.js';
import type { KeygenOptions } from '../options/keygen.js';
import { LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { generateKeyPair } from './keygen.js';

/** Generates a key pair and writes both halves to files; only paths and the fingerprint are reported. */
export async function keygen(options: KeygenOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const pair = await generateKeyPair({ name: options.keyName, email: options.keyEmail, passphrase: options.keyPassphrase });
  const dir = resolve(options.outDir);
  await mkdir(dir, { recursive: true });
  const publicPath = join(dir, `${pair.fingerprint}.pub.asc`);
  const privatePath = join(dir, `${pair.fingerprint}.key.asc`);
  try {
    // `wx`: never overwrite a key someone may depend on.
    await writeFile(privatePath, pair.privateKey, { mode: 0o600, flag: 'wx' });
    await writeFile(publicPath, pair.publicKey, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    throw new LifeboatError('key-file-exists', `Could not write the key files in ${dir}: ${(error as Error).message}.`, 'Choose another `out-dir`; existing key files are never overwritten.');
  }
  if (!options.keyPassphrase) reporter.warning('The private key has no passphrase: keep the file only in a secret store.');
  await reporter.summary(
    [
      '## Lifeboat keygen',
      '',
      `- Fingerprint: \`${pair.fingerprint}\``,
      `- Public key (set as \`recipients\`): \`${publicPath}\``,
      `- Private key (store as the \`identity\` secret; never commit it): \`${privatePath}\``,
      '',
    ].join('\n'),
  );
  return {
    ok: true,
    outputs: { fingerprint: pair.fingerprint, 'public-key-path': publicPath, 'private-key-path': privatePath },
  };
}
