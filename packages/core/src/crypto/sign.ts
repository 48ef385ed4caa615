import { createMessage, readSignature, sign, verify, type Key, type Signature } from 'openpgp';
import { PrivateKeyError, SignatureError } from './errors.js';
import { GNUPG22_CONFIG } from './encrypt.js';
import { describeKey, keyInfo, openpgpReason, readPublicKeys } from './keys.js';
import { normalizePassphrase } from './plan.js';
import { loadPrivateKeys } from './private-keys.js';

/** Detached armored signature over `data` (used to sign manifests); `gpg --verify` accepts it. */
export async function signDetached(
  data: Uint8Array,
  options: { signingKey: string /* armored or path */; passphrase?: string },
  context: { cwd?: string } = {},
): Promise<{ signature: string; fingerprint: string }> {
  const passphrase = normalizePassphrase(options.passphrase, 'signing-key-passphrase');
  const keys = await loadPrivateKeys(options.signingKey, passphrase, {
    option: 'signing-key',
    passphraseOption: 'signing-key-passphrase',
    cwd: context.cwd,
  });
  if (keys.length !== 1) {
    throw new PrivateKeyError(
      `\`signing-key\` holds ${keys.length} keys${keys.length ? ` (${keys.map((k) => describeKey(keyInfo(k))).join(', ')})` : ''}; it needs exactly one.`,
      'Give the one private key that signs manifests.',
    );
  }
  const key = keys[0]!;
  const name = describeKey(keyInfo(key));
  try {
    await key.getSigningKey();
  } catch (error) {
    throw new PrivateKeyError(
      `The private key ${name} in \`signing-key\` cannot sign (${openpgpReason(error)}).`,
      'Give a key that is neither expired nor revoked and can sign (`gpg --quick-set-expire <fingerprint> 2y` extends one).',
    );
  }
  const message = await createMessage({ binary: data, format: 'binary' });
  const signature = await sign({ message, signingKeys: key, detached: true, format: 'armored', config: GNUPG22_CONFIG });
  return { signature, fingerprint: keyInfo(key).fingerprint };
}

/** The armored public key of the one private key in `signing-key`, to verify what it signed. */
export async function signingPublicKey(options: { signingKey: string; passphrase?: string }, context: { cwd?: string } = {}): Promise<string> {
  const keys = await loadPrivateKeys(options.signingKey, normalizePassphrase(options.passphrase, 'signing-key-passphrase'), {
    option: 'signing-key',
    passphraseOption: 'signing-key-passphrase',
    cwd: context.cwd,
  });
  return keys[0]!.toPublic().armor();
}

/**
 * Verifies a detached signature against one or more public keys (armored blocks or paths);
 * throws SignatureError naming the problem. Key validity is judged when the signature was
 * made (a key that expired since still vouches for old manifests); revocation, whenever.
 */
export async function verifyDetached(
  data: Uint8Array,
  signature: string,
  publicKeys: string /* armored blocks or paths */,
  context: { cwd?: string; now?: Date } = {},
): Promise<{ fingerprint: string }> {
  let parsed: Signature;
  try {
    parsed = await readSignature({ armoredSignature: signature });
  } catch (error) {
    throw new SignatureError(
      'unreadable',
      `The signature is not a readable armored OpenPGP signature (${openpgpReason(error)}).`,
      'Give the detached signature written with the manifest, unmodified.',
    );
  }
  const sourced = publicKeys.trim() ? await readPublicKeys(publicKeys, { option: 'signing-public-key', cwd: context.cwd }) : [];
  if (sourced.length === 0) {
    throw new SignatureError('no-keys', 'No public key was given to verify the signature with.', 'Set `signing-public-key` to the public key of the key that signs manifests.');
  }
  const signerIds = parsed.getSigningKeyIDs().map((id) => id.toHex());
  const holds = (key: Key, id: string) => key.getKeyIDs().some((k) => k.toHex() === id);
  const candidates = sourced.map((s) => s.key).filter((key) => signerIds.some((id) => holds(key, id)));
  if (candidates.length === 0) {
    throw new SignatureError(
      'unknown-key',
      `The signature was made by key id ${signerIds.map((id) => id.toUpperCase()).join(', ') || '(none named)'}, which is not among the keys in \`signing-public-key\` (${sourced.map((s) => describeKey(keyInfo(s.key))).join(', ')}).`,
      "Add the signer's public key to `signing-public-key` if you trust it; otherwise the manifest was not signed by your key.",
    );
  }
  const now = context.now ?? new Date();
  const created = parsed.packets[0]?.created ?? undefined;
  const result = await verify({
    message: await createMessage({ binary: data, format: 'binary' }),
    signature: parsed,
    verificationKeys: candidates,
    format: 'binary',
    date: created ?? now,
  });
  let lastReason = 'no signature checked';
  for (const entry of result.signatures) {
    const key = candidates.find((k) => holds(k, entry.keyID.toHex()));
    try {
      await entry.verified;
    } catch (error) {
      lastReason = openpgpReason(error);
      continue;
    }
    if (!key) continue;
    if (await key.isRevoked(undefined, undefined, now)) {
      throw new SignatureError('key-unusable', `The signing key ${describeKey(keyInfo(key))} has been revoked.`, 'Do not trust manifests signed with it; sign with its successor.');
    }
    return { fingerprint: keyInfo(key).fingerprint };
  }
  if (/digest did not match|signature verification failed/i.test(lastReason)) {
    throw new SignatureError(
      'mismatch',
      'The signature does not match the data: it was changed after signing, or the signature belongs to other data.',
      'Do not trust this manifest; use another backup.',
    );
  }
  throw new SignatureError('key-unusable', `The signature could not be verified (${lastReason}).`, 'Check that the signing key was valid when the manifest was signed.');
}
