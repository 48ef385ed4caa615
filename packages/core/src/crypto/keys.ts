import { readKeys, type AlgorithmInfo, type Key, type PublicKey, type Subkey } from 'openpgp';
import { registerSecret } from '../report/secrets.js';
import { PublicKeyError } from './errors.js';
import { armorBody, readKeyFile, resolveKeyPath, showPath, splitKeyText, type KeyEntry } from './key-text.js';

/** What an operator needs to recognise a key; no secret material. */
export interface KeyInfo {
  /** Primary key fingerprint, lowercase hex (40 for v4 keys). */
  fingerprint: string;
  userIds: string[];
  /** Primary key algorithm in GnuPG's notation, e.g. `ed25519`, `rsa3072`. */
  algorithm: string;
  created: Date;
  /** When the key (or the subkey used) stops being usable; absent when it never expires. */
  expires?: Date;
}

/** A validated recipient: a v4 public key with a usable encryption subkey that GnuPG 2.2 reads. */
export interface RecipientKey extends KeyInfo {
  publicKey: PublicKey;
  /** Key id (16 hex) of the subkey that will receive the session key; gpg prints it on decrypt. */
  encryptionKeyId: string;
  /** Algorithm of that subkey, e.g. `cv25519`. */
  encryptionAlgorithm: string;
  /** Where the key came from, e.g. `recipients line 3` or `the armored public key block at recipients lines 1-14`. */
  where: string;
}

/** A parsed public key and where it came from. */
export interface SourcedKey {
  key: Key;
  where: string;
}

/** RFC 9580 algorithms (Ed25519/X25519/Ed448/X448 as their own algorithm ids): GnuPG 2.2 cannot read them. */
const RFC9580_ALGORITHMS = new Set(['ed25519', 'ed448', 'x25519', 'x448']);

/** `a1b2…` plus the first user id, how keys are named in messages. */
export function describeKey(info: Pick<KeyInfo, 'fingerprint' | 'userIds'>): string {
  const uid = info.userIds[0];
  return uid ? `${info.fingerprint} (${uid})` : info.fingerprint;
}

/** Public facts about a key; `expires` is passed in because it depends on the subkey used. */
export function keyInfo(key: Key, expires?: Date): KeyInfo {
  const info: KeyInfo = {
    fingerprint: key.getFingerprint().toLowerCase(),
    userIds: key.getUserIDs(),
    algorithm: algorithmName(key.getAlgorithmInfo()),
    created: key.getCreationTime(),
  };
  if (expires) info.expires = expires;
  return info;
}

/** GnuPG's short notation for an algorithm: `rsa3072`, `ed25519`, `cv25519`, `nistp256`. */
export function algorithmName(info: AlgorithmInfo): string {
  switch (info.algorithm) {
    case 'rsaEncryptSign':
    case 'rsaEncrypt':
    case 'rsaSign':
      return `rsa${info.bits ?? ''}`;
    case 'dsa':
      return `dsa${info.bits ?? ''}`;
    case 'elgamal':
      return `elg${info.bits ?? ''}`;
    case 'eddsaLegacy':
      return 'ed25519';
    case 'ecdh':
    case 'ecdsa':
      return curveName(info.curve);
    default:
      return info.algorithm;
  }
}

function curveName(curve: string | undefined): string {
  switch (curve) {
    case 'curve25519Legacy':
      return 'cv25519';
    case 'ed25519Legacy':
      return 'ed25519';
    case 'nistP256':
    case 'nistP384':
    case 'nistP521':
      return curve.toLowerCase();
    default:
      return curve ?? 'ecc';
  }
}

/**
 * Reads public keys from option text: armored blocks inline and/or key-file paths (one per
 * line, relative to `cwd`). Refuses unreadable text, missing files and private keys.
 */
export async function readPublicKeys(text: string, options: { option: string; cwd?: string }): Promise<SourcedKey[]> {
  const keys: SourcedKey[] = [];
  for (const entry of splitKeyText(text, options.option)) {
    keys.push(...(await readEntry(entry, options.option, options.cwd)));
  }
  return keys;
}

async function readEntry(entry: KeyEntry, option: string, cwd: string | undefined): Promise<SourcedKey[]> {
  const exportFix = 'Give the output of `gpg --armor --export <fingerprint>` (the whole block, BEGIN and END lines included), or the path of a file holding it.';
  if (entry.kind === 'unterminated') {
    if (entry.private) registerSecret(armorBody(entry.text));
    throw new PublicKeyError('unreadable', `The armored block starting at ${entry.where} has no END line.`, exportFix);
  }
  if (entry.kind === 'armored') {
    if (entry.private) {
      registerSecret(armorBody(entry.text));
      throw privateKeyError(entry.where, option);
    }
    return parseKeys(entry.where, { armored: entry.text }, option);
  }
  const path = resolveKeyPath(entry.path, cwd);
  let file: Awaited<ReturnType<typeof readKeyFile>>;
  try {
    file = await readKeyFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a key file' : `unreadable (${code ?? (error as Error).message})`;
    throw new PublicKeyError(
      'missing-file',
      `${entry.where}: ${showPath(entry.path)} is ${what}. Lines outside an armored block are read as paths of key files${cwd ? ` relative to ${cwd}` : ''}; fingerprints and e-mail addresses are not looked up.`,
      exportFix,
    );
  }
  const where = `${entry.where} (${entry.path})`;
  if (!file.armored) return parseKeys(where, { binary: file.bytes }, option);
  const blocks = splitKeyText(file.text, entry.path).filter((e) => e.kind !== 'path');
  if (blocks.length === 0) throw new PublicKeyError('unreadable', `${where} holds no armored OpenPGP key.`, exportFix);
  const keys: SourcedKey[] = [];
  for (const block of blocks) {
    if (block.kind === 'armored' && block.private) throw privateKeyError(where, option);
    if (block.kind !== 'armored') throw new PublicKeyError('unreadable', `The armored block in ${where} has no END line.`, exportFix);
    keys.push(...(await parseKeys(where, { armored: block.text }, option)));
  }
  return keys;
}

async function parseKeys(where: string, input: { armored: string } | { binary: Uint8Array }, option: string): Promise<SourcedKey[]> {
  let keys: Key[];
  try {
    keys = 'armored' in input ? await readKeys({ armoredKeys: input.armored }) : await readKeys({ binaryKeys: input.binary });
  } catch (error) {
    throw new PublicKeyError(
      'unreadable',
      `${capitalize(where)} is not a readable OpenPGP public key (${openpgpReason(error)}).`,
      'Give the output of `gpg --armor --export <fingerprint>` (the whole block, BEGIN and END lines included), or the path of a file holding it.',
    );
  }
  for (const key of keys) {
    if (key.isPrivate()) throw privateKeyError(where, option);
  }
  return keys.map((key) => ({ key, where }));
}

function privateKeyError(where: string, option: string): PublicKeyError {
  return new PublicKeyError(
    'private-key',
    `${capitalize(where)} is a private key; \`${option}\` takes public keys only. It was not used and is not shown.`,
    `Paste the public key instead (\`gpg --armor --export <fingerprint>\`). Keep the private key out of ${option}: it belongs only where backups are decrypted (\`identity\`), stored as a secret.`,
  );
}

/**
 * Parses recipients: armored blocks inline and/or paths to key files (one per line);
 * validates each (v4, not expired or revoked, a usable encryption subkey GnuPG 2.2 reads).
 */
export async function loadRecipients(text: string, options: { cwd?: string; now?: Date } = {}): Promise<RecipientKey[]> {
  const now = options.now ?? new Date();
  const sourced = await readPublicKeys(text, { option: 'recipients', cwd: options.cwd });
  const recipients: RecipientKey[] = [];
  const seen = new Set<string>();
  for (const { key, where } of sourced) {
    const recipient = await validateRecipient(key, where, now);
    if (seen.has(recipient.fingerprint)) continue;
    seen.add(recipient.fingerprint);
    recipients.push(recipient);
  }
  return recipients;
}

async function validateRecipient(key: Key, where: string, now: Date): Promise<RecipientKey> {
  const info = keyInfo(key);
  const name = `Recipient key ${describeKey(info)} from ${where}`;
  const newKeyFix =
    'Use a v4 key GnuPG 2.2 reads: `lifeboat keygen`, or `gpg --quick-generate-key "<name>" ed25519 cert` then `gpg --quick-add-key <fingerprint> cv25519 encr`, and give its public key.';
  if (key.keyPacket.version !== 4) {
    throw new PublicKeyError(
      'unsupported-version',
      `${name} is a version ${key.keyPacket.version} key (RFC 9580); GnuPG 2.2 cannot read it, so backups encrypted to it could not be restored with gpg.`,
      newKeyFix,
    );
  }
  const primaryAlgorithm = key.getAlgorithmInfo().algorithm;
  if (RFC9580_ALGORITHMS.has(primaryAlgorithm)) {
    throw new PublicKeyError(
      'unsupported-version',
      `${name} uses ${rfc9580Name(primaryAlgorithm)}, which GnuPG 2.2 cannot read; backups encrypted to it could not be restored with gpg.`,
      newKeyFix,
    );
  }
  if (await key.isRevoked(undefined, undefined, now)) {
    throw new PublicKeyError('revoked', `${name} is revoked.`, 'Remove it from recipients and give the public key that replaced it.');
  }
  const primaryExpiry = asDate(await key.getExpirationTime());
  if (primaryExpiry && primaryExpiry <= now) {
    throw new PublicKeyError(
      'expired',
      `${name} expired on ${primaryExpiry.toISOString()}.`,
      `Extend it (\`gpg --quick-set-expire ${info.fingerprint} 2y\`) and export the public key again, or give another key.`,
    );
  }
  let subkey: Key | Subkey;
  try {
    subkey = await key.getEncryptionKey(undefined, now);
  } catch (error) {
    throw await noEncryptionKey(key, name, info.fingerprint, now, error);
  }
  const subkeyAlgorithm = subkey.getAlgorithmInfo().algorithm;
  if (RFC9580_ALGORITHMS.has(subkeyAlgorithm)) {
    throw new PublicKeyError(
      'unsupported-version',
      `${name} encrypts with ${rfc9580Name(subkeyAlgorithm)}, which GnuPG 2.2 cannot read; backups encrypted to it could not be restored with gpg.`,
      newKeyFix,
    );
  }
  const subkeyExpiry = subkey === key ? undefined : asDate(await (subkey as Subkey).getExpirationTime(now));
  const expires = earliest(primaryExpiry, subkeyExpiry);
  return {
    ...keyInfo(key, expires),
    publicKey: key.toPublic(),
    encryptionKeyId: subkey.getKeyID().toHex(),
    encryptionAlgorithm: algorithmName(subkey.getAlgorithmInfo()),
    where,
  };
}

async function noEncryptionKey(key: Key, name: string, fingerprint: string, now: Date, error: unknown): Promise<PublicKeyError> {
  const reason = openpgpReason(error);
  if (/too weak|is disabled/i.test(reason)) {
    return new PublicKeyError(
      'weak-key',
      `${name} cannot be used: ${reason}.`,
      'Use a modern key: `lifeboat keygen`, or an ed25519/cv25519 or RSA 3072+ key from gpg.',
    );
  }
  const details: string[] = [];
  for (const subkey of key.subkeys) {
    const binding = latest(subkey.bindingSignatures);
    // Key flags 0x04 (communications) and 0x08 (storage) mark an encryption subkey.
    if (!binding || ((binding.keyFlags?.[0] ?? 0) & 0x0c) === 0) continue;
    const id = subkey.getKeyID().toHex();
    const problem = await subkey.verify(now).then(
      () => undefined,
      (e: unknown) => openpgpReason(e),
    );
    if (problem === 'Subkey is revoked') details.push(`encryption subkey ${id} is revoked`);
    else if (problem === 'Subkey is expired') {
      const expiry = asDate(await subkey.getExpirationTime(now));
      details.push(`encryption subkey ${id} expired${expiry ? ` on ${expiry.toISOString()}` : ''}`);
    } else details.push(`encryption subkey ${id} is not usable (${problem ?? reason})`);
  }
  const what = details.length > 0 ? details.join('; ') : 'it has no encryption subkey (a signing-only key)';
  return new PublicKeyError(
    'no-encryption-subkey',
    `${name} cannot receive encrypted data: ${what}.`,
    `Add or renew an encryption subkey (\`gpg --quick-add-key ${fingerprint} cv25519 encr\`, or \`gpg --quick-set-expire ${fingerprint} 2y '*'\`) and export the public key again.`,
  );
}

function latest<T extends { created: Date | null }>(signatures: T[]): T | undefined {
  return [...signatures].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0))[0];
}

function rfc9580Name(algorithm: string): string {
  const ids: Record<string, number> = { x25519: 25, x448: 26, ed25519: 27, ed448: 28 };
  return `the RFC 9580 algorithm ${algorithm} (id ${ids[algorithm]}; not the older ed25519/cv25519 encoding GnuPG 2.2 uses)`;
}

function asDate(value: Date | number | null | undefined): Date | undefined {
  return value instanceof Date ? value : undefined;
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** openpgp.js's own reason, without its generic wrapper prefixes. */
export function openpgpReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Error [a-z ]+?: )+/i, '').replace(/\.$/, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
