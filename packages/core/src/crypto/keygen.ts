import { generateKey, readKey } from 'openpgp';
import { OptionError } from '../report/errors.js';
import { registerSecret } from '../report/secrets.js';
import { GNUPG22_CONFIG } from './encrypt.js';
import { armorBody } from './key-text.js';
import { normalizePassphrase } from './plan.js';

const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/;

/**
 * A GnuPG-2.2-compatible key pair (ecc: ed25519 primary for certifying and signing, and for
 * `encrypt` a cv25519 subkey for encryption, "Legacy" v4 encodings), armored; the private key
 * is protected when a passphrase is given. A `sign` key has no encryption subkey, so nothing
 * can be encrypted to it by mistake. The private key is registered as a secret, so write it
 * out directly (file, stdout), never through a reporter.
 */
export async function generateKeyPair(options: {
  name: string;
  email?: string;
  passphrase?: string;
  /** `encrypt` (default): backups are encrypted to it. `sign`: it signs manifests only. */
  purpose?: 'encrypt' | 'sign';
}): Promise<{ publicKey: string; privateKey: string; fingerprint: string }> {
  registerSecret(options.passphrase);
  const name = options.name.trim();
  const email = options.email?.trim() || undefined;
  if (!name) throw new OptionError('The new key needs a name for its user id.', 'Give a name, e.g. `Lifeboat backups (prod)`.');
  if (/[<>\r\n]/.test(name)) throw new OptionError(`The key name '${name}' contains '<', '>' or a line break.`, 'Give the name and the e-mail address separately.');
  if (email && !EMAIL.test(email)) throw new OptionError(`'${email}' is not an e-mail address.`, 'Give an address like `backups@example.org`, or none.');
  const passphrase = normalizePassphrase(options.passphrase, 'passphrase');
  const { publicKey, privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [email ? { name, email } : { name }],
    passphrase,
    ...(options.purpose === 'sign' && { subkeys: [] }),
    format: 'armored',
    config: GNUPG22_CONFIG,
  });
  registerSecret(armorBody(privateKey));
  const fingerprint = (await readKey({ armoredKey: publicKey })).getFingerprint().toLowerCase();
  return { publicKey, privateKey, fingerprint };
}
