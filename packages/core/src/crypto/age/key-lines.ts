import { readFile } from 'node:fs/promises';
import { registerSecret } from '../../report/secrets.js';
import { PrivateKeyError, PublicKeyError } from '../errors.js';
import { resolveKeyPath } from '../key-text.js';
import { parseAgeIdentity, parseAgeRecipient, type AgeIdentity, type AgeRecipient } from './keys.js';

const RECIPIENT_START = /^age1/i;
const IDENTITY_START = /^AGE-SECRET-KEY-/i;
const PGP_BEGIN = /^-----BEGIN PGP ([A-Z ]+)-----$/;

/** The age keys found in option text, and the text left for OpenPGP (same line numbers, age lines blanked). */
export interface SplitKeys<K> {
  readonly age: K[];
  readonly rest: string;
}

/**
 * Takes the age recipients out of `recipients` text: `age1…` lines, and lines naming a file
 * that holds only such lines (an age recipients file; `#` comments allowed). Armored OpenPGP
 * blocks and other lines stay in `rest`. A malformed `age1…` line or a secret key is refused.
 */
export async function splitAgeRecipients(text: string, options: { option: string; cwd?: string }): Promise<SplitKeys<AgeRecipient>> {
  return split(text, options, RECIPIENT_START, (line, where) => {
    if (IDENTITY_START.test(line)) {
      registerSecret(line);
      throw new PublicKeyError('private-key', `${where} is an age secret key (\`AGE-SECRET-KEY-1…\`), not a recipient.`, `Give its recipient instead (\`age-keygen -y key.txt\` prints it) and keep the secret key out of \`${options.option}\`.`);
    }
    const recipient = parseAgeRecipient(line);
    if (!recipient) {
      throw new PublicKeyError('unreadable', `${where} starts like an age recipient but is not one (wrong checksum or length, or not an X25519 recipient).`, 'Copy the `age1…` line again in full, as `age-keygen` printed it.');
    }
    return recipient;
  });
}

/**
 * Takes the age identities out of `identity` text: `AGE-SECRET-KEY-1…` lines, and lines naming
 * a file that holds them (as `age-keygen` writes it). Registers each as a secret before
 * anything could print it.
 */
export async function splitAgeIdentities(text: string, options: { option: string; cwd?: string }): Promise<SplitKeys<AgeIdentity>> {
  return split(text, options, IDENTITY_START, (line, where) => {
    if (RECIPIENT_START.test(line) && !IDENTITY_START.test(line)) {
      throw new PrivateKeyError(`${where} is an age recipient (a public key); it cannot decrypt.`, `Give the matching \`AGE-SECRET-KEY-1…\` identity (or the path of the key file \`age-keygen\` wrote) in \`${options.option}\`.`);
    }
    registerSecret(line);
    const identity = parseAgeIdentity(line);
    if (!identity) throw new PrivateKeyError(`${where} is not a valid age identity (wrong checksum or length).`, 'Copy the `AGE-SECRET-KEY-1…` line again in full, or give the path of the key file.');
    return identity;
  });
}

async function split<K>(
  text: string,
  options: { option: string; cwd?: string },
  start: RegExp,
  parse: (line: string, where: string) => K,
): Promise<SplitKeys<K>> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const age: K[] = [];
  let armorEnd: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (armorEnd) {
      if (line === armorEnd) armorEnd = undefined;
      continue;
    }
    const begin = PGP_BEGIN.exec(line);
    if (begin) {
      armorEnd = `-----END PGP ${begin[1]}-----`;
      continue;
    }
    if (line === '' || line.startsWith('#')) {
      // Comments say nothing about the scheme: the rest must be empty when only age keys were given.
      lines[i] = '';
      continue;
    }
    const where = `${options.option} line ${i + 1}`;
    if (RECIPIENT_START.test(line) || IDENTITY_START.test(line)) {
      age.push(parse(line, where));
      lines[i] = '';
      continue;
    }
    const fromFile = await ageFileLines(resolveKeyPath(line, options.cwd), start);
    if (fromFile) {
      for (const [n, keyLine] of fromFile) age.push(parse(keyLine, `${where} (${line}) line ${n}`));
      lines[i] = '';
    }
  }
  return { age, rest: lines.join('\n') };
}

/** The key lines of an age key file (with their line numbers), or undefined when the path is not one. */
async function ageFileLines(path: string, start: RegExp): Promise<[number, string][] | undefined> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > 1 << 20) return undefined;
    text = bytes.toString('utf8');
  } catch {
    return undefined; // not a readable file: the OpenPGP reader reports it
  }
  const keys: [number, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!RECIPIENT_START.test(line) && !IDENTITY_START.test(line)) return undefined;
    keys.push([i + 1, line]);
  }
  return keys.length > 0 && keys.some(([, l]) => start.test(l)) ? keys : undefined;
}
