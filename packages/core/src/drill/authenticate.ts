import { MANIFEST_SIGNATURE_FILE, backupObjectKey } from '../catalog/layout.js';
import { readSmallObject } from '../catalog/store-reads.js';
import { SignatureError, verifyDetached } from '../crypto/index.js';
import { readPublicKeys } from '../crypto/keys.js';
import type { RunContext } from '../context.js';
import type { Store } from '../storage/store.js';
import { VerificationError } from './errors.js';
import type { SelectedBackup } from './select.js';

/** What the operator set for proving a backup's origin. */
export interface AuthenticationSettings {
  /** Public keys one of which must have signed the manifest (armored blocks or paths). */
  readonly signingPublicKey?: string;
  /** Accept a backup without a signature (loudly). */
  readonly allowUnsigned: boolean;
  /** Accept a backup that says it is unencrypted although keys were given. */
  readonly allowUnencrypted: boolean;
  /** Whether `identity` or `passphrase` was given. */
  readonly keysGiven: boolean;
}

/** How far a backup's origin was proven, for evidence and summaries. */
export interface Authenticity {
  /** True when the manifest signature was checked against `signing-public-key` and is valid. */
  readonly verified: boolean;
  /** Fingerprint of the key that signed it, when verified. */
  readonly signedBy?: string;
  /** True when the backup has a signature file at all. */
  readonly signed: boolean;
  /** True when `allow-unsigned` was set for the run. */
  readonly allowUnsigned: boolean;
  /** True when the manifest says the backup is encrypted. */
  readonly encrypted: boolean;
}

/**
 * Checks before anything is read from the store that the run can prove a backup's origin:
 * `signing-public-key` holds usable public keys, or `allow-unsigned` says the operator
 * accepts backups whose origin is unproven (then a warning says what that means).
 */
export async function prepareAuthentication(
  options: { signingPublicKey?: string; allowUnsigned: boolean; allowUnencrypted: boolean; identity?: string; passphrase?: string },
  context: RunContext,
): Promise<AuthenticationSettings> {
  const signingPublicKey = options.signingPublicKey?.trim() ? options.signingPublicKey : undefined;
  if (signingPublicKey) {
    // Unreadable or private keys are refused now, naming the option.
    await readPublicKeys(signingPublicKey, { option: 'signing-public-key' });
  } else if (!options.allowUnsigned) {
    throw new SignatureError(
      'no-keys',
      'No `signing-public-key` is set, so nothing can prove that a backup was written by your backup job: anyone who can write to the store could have made it.',
      'Set `signing-public-key` to the public key of the key your backups sign with (`signing-key`; `lifeboat keygen` makes the pair), or set `allow-unsigned: true` to accept backups whose origin is unproven.',
    );
  }
  if (options.allowUnsigned) {
    context.reporter.warning(
      '`allow-unsigned` is set: a backup without a manifest signature is accepted, and anyone who can write to the store can make such a backup. Evidence and summaries say so; remove the setting once your backups are signed.',
    );
  }
  return {
    signingPublicKey,
    allowUnsigned: options.allowUnsigned,
    allowUnencrypted: options.allowUnencrypted,
    keysGiven: Boolean(options.identity || options.passphrase),
  };
}

/**
 * The `authenticate` phase, before any payload byte is downloaded: a backup that says it is
 * unencrypted where keys were given is refused (a plaintext forgery) unless allowed; the
 * manifest's detached signature is checked against `signing-public-key`. A missing signature
 * is refused unless `allow-unsigned`; a signature that does not verify is always refused.
 */
export async function authenticateBackup(store: Store, selected: SelectedBackup, settings: AuthenticationSettings): Promise<Authenticity> {
  const { manifest, name } = selected;
  const encrypted = manifest.encryption.scheme !== 'none';
  if (!encrypted && settings.keysGiven && !settings.allowUnencrypted) {
    throw new VerificationError(
      `Backup ${manifest.id} says it is not encrypted (encryption: none), although \`identity\` or \`passphrase\` is given: a plaintext backup where encrypted ones are expected may be a forgery.`,
      'Drill or restore an encrypted backup; if this name is backed up unencrypted on purpose, set `allow-unencrypted: true`.',
    );
  }
  const key = backupObjectKey(name, manifest.id, MANIFEST_SIGNATURE_FILE);
  const signature = (await store.head(key)) ? await readSmallObject(store, key) : undefined;
  const base = { signed: signature !== undefined, allowUnsigned: settings.allowUnsigned, encrypted };
  if (signature === undefined) {
    if (!settings.allowUnsigned) {
      throw new SignatureError(
        'unsigned',
        `Backup ${manifest.id} has no manifest signature (${MANIFEST_SIGNATURE_FILE}), so nothing proves your backup job wrote it.`,
        'Sign backups with `signing-key`; to accept unsigned ones (taken before signing was set up), set `allow-unsigned: true`.',
      );
    }
    return { ...base, verified: false };
  }
  if (!settings.signingPublicKey) return { ...base, verified: false };
  const { fingerprint } = await verifyDetached(Buffer.from(selected.manifestText), signature, settings.signingPublicKey);
  return { ...base, verified: true, signedBy: fingerprint };
}

/** One sentence on how far the backup's origin was proven, for notes and summaries. */
export function describeAuthenticity(authenticity: Authenticity): string {
  if (authenticity.verified) return `Origin verified: the manifest is signed by ${authenticity.signedBy}.`;
  const why = authenticity.signed ? 'its signature was not checked (no `signing-public-key`)' : 'it has no manifest signature';
  return `Origin NOT verified: ${why}, and \`allow-unsigned\` accepted it; anyone who can write to the store could have made this backup.`;
}
