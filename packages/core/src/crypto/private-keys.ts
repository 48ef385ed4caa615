import { decryptKey, readKeys, readPrivateKeys, type PrivateKey } from 'openpgp';
import { registerSecret } from '../report/secrets.js';
import { KeyPassphraseError, PrivateKeyError } from './errors.js';
import { armorBody, readKeyFile, resolveKeyPath, showPath, splitKeyText } from './key-text.js';
import { describeKey, keyInfo, openpgpReason } from './keys.js';
import { useNativeS2K } from './s2k.js';

/** Names of the two options involved, for messages: e.g. `identity` and `identity-passphrase`. */
export interface PrivateKeyOptions {
  option: string;
  passphraseOption: string;
  cwd?: string;
  /**
   * Unlock only the (sub)keys that can decrypt: a drill or restore never signs, and each
   * protected key packet costs a full S2K derivation.
   */
  decryptionOnly?: boolean;
}

/**
 * Reads private keys from option text (armored blocks and/or key-file paths) and unlocks
 * them with `passphrase`. Registers the key material and passphrase as secrets first.
 */
export async function loadPrivateKeys(text: string, passphrase: string | undefined, options: PrivateKeyOptions): Promise<PrivateKey[]> {
  registerSecret(passphrase);
  const keys: PrivateKey[] = [];
  for (const entry of splitKeyText(text, options.option)) {
    if (entry.kind === 'unterminated') {
      registerSecret(armorBody(entry.text));
      throw new PrivateKeyError(`The armored block starting at ${entry.where} has no END line.`, exportFix(options.option));
    }
    if (entry.kind === 'armored') {
      registerSecret(armorBody(entry.text));
      keys.push(...(await parsePrivate(entry.where, entry.text, options.option)));
      continue;
    }
    const path = resolveKeyPath(entry.path, options.cwd);
    let file: Awaited<ReturnType<typeof readKeyFile>>;
    try {
      file = await readKeyFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PrivateKeyError(
        `${entry.where}: ${showPath(entry.path)} is ${code === 'ENOENT' ? 'no such file' : `unreadable (${code ?? (error as Error).message})`}. Lines outside an armored block are read as paths of key files${options.cwd ? ` relative to ${options.cwd}` : ''}.`,
        exportFix(options.option),
      );
    }
    const where = `${entry.where} (${entry.path})`; // the file exists: a path, not key material
    if (!file.armored) {
      keys.push(...(await parsePrivate(where, file.bytes, options.option)));
      continue;
    }
    registerSecret(armorBody(file.text));
    const blocks = splitKeyText(file.text, entry.path).filter((e) => e.kind !== 'path');
    if (blocks.length === 0) throw new PrivateKeyError(`${where} holds no armored OpenPGP key.`, exportFix(options.option));
    for (const block of blocks) {
      if (block.kind !== 'armored') throw new PrivateKeyError(`The armored block in ${where} has no END line.`, exportFix(options.option));
      keys.push(...(await parsePrivate(where, block.text, options.option)));
    }
  }
  const unlocked: PrivateKey[] = [];
  for (const key of keys) unlocked.push(await unlock(key, passphrase, options));
  return unlocked;
}

async function parsePrivate(where: string, input: string | Uint8Array, option: string): Promise<PrivateKey[]> {
  try {
    return typeof input === 'string' ? await readPrivateKeys({ armoredKeys: input }) : await readPrivateKeys({ binaryKeys: input });
  } catch (error) {
    const publicKeys = await (typeof input === 'string' ? readKeys({ armoredKeys: input }) : readKeys({ binaryKeys: input })).catch(() => []);
    if (publicKeys.length > 0) {
      const names = publicKeys.map((k) => describeKey(keyInfo(k))).join(', ');
      throw new PrivateKeyError(`${capitalize(where)} is a public key (${names}); \`${option}\` needs the private key.`, exportFix(option));
    }
    throw new PrivateKeyError(`${capitalize(where)} is not a readable OpenPGP private key (${openpgpReason(error)}).`, exportFix(option));
  }
}

async function unlock(key: PrivateKey, passphrase: string | undefined, options: PrivateKeyOptions): Promise<PrivateKey> {
  if (key.isDecrypted()) return key;
  const name = describeKey(keyInfo(key));
  if (!key.getKeys().some((k) => !('isDummy' in k.keyPacket && k.keyPacket.isDummy()))) {
    throw new PrivateKeyError(
      `The private key ${name} in \`${options.option}\` holds no secret key material (a stub, e.g. for a key on a smartcard).`,
      'Export the private key from where its secret material lives, or use a key that is not on a card.',
    );
  }
  if (!passphrase) {
    throw new KeyPassphraseError(`The private key ${name} in \`${options.option}\` is protected by a passphrase.`, `Set \`${options.passphraseOption}\` to its passphrase.`);
  }
  for (const { keyPacket } of key.getKeys()) useNativeS2K((keyPacket as { s2k?: unknown }).s2k);
  try {
    if (options.decryptionOnly) {
      const packets = await decryptionPackets(key);
      // No usable decryption key: unlock it all, so the errors stay those of a whole key.
      if (packets.length > 0) {
        for (const packet of packets) {
          if (!packet.isDecrypted()) await packet.decrypt(passphrase);
          // What decryptKey's validation does for the packets it relies on: secret and public parts match.
          await packet.validate();
        }
        return key;
      }
    }
    return await decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    const reason = openpgpReason(error);
    if (/Incorrect key passphrase/i.test(reason)) {
      throw new KeyPassphraseError(
        `\`${options.passphraseOption}\` does not unlock the private key ${name} in \`${options.option}\`.`,
        `Set \`${options.passphraseOption}\` to that key's passphrase (\`gpg --passwd ${keyInfo(key).fingerprint}\` changes it).`,
      );
    }
    throw new PrivateKeyError(`The private key ${name} in \`${options.option}\` cannot be unlocked: ${reason}.`, exportFix(options.option));
  }
}

/** Secret key packets able to decrypt (expiry ignored, as for decryption), gnu-dummy stubs left out. */
async function decryptionPackets(key: PrivateKey): Promise<SecretKeyPacketLike[]> {
  const usable = await key.getDecryptionKeys(undefined, null as unknown as Date).catch(() => []);
  return usable.map((k) => k.keyPacket as unknown as SecretKeyPacketLike).filter((p) => !p.isDummy());
}

/** The secret key packet methods used here (openpgp.js types them only on the packet classes). */
interface SecretKeyPacketLike {
  isDummy(): boolean;
  isDecrypted(): boolean | null;
  decrypt(passphrase: string): Promise<void>;
  validate(): Promise<void>;
}

function exportFix(option: string): string {
  return `Give the output of \`gpg --armor --export-secret-keys <fingerprint>\` in \`${option}\` (the whole block, BEGIN and END lines included), or the path of a file holding it.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
