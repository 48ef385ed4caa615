import type { ManifestEncryption } from '../catalog/manifest.js';
import { OptionError } from '../report/errors.js';
import type { Reporter } from '../report/reporter.js';
import { DEFAULT_SCRYPT_WORK_FACTOR, splitAgeRecipients, type AgeRecipient } from './age/index.js';
import { NoEncryptionKeyError, PassphraseError } from './errors.js';
import { describeKey, loadRecipients, type RecipientKey } from './keys.js';

/** The `encryption` setting: `auto` picks age when every recipient is an age recipient, OpenPGP otherwise. */
export type EncryptionSetting = 'auto' | 'openpgp' | 'age' | 'none';

/** How a backup will be encrypted: validated keys and/or a passphrase, or explicitly nothing. */
export interface EncryptionPlan {
  scheme: 'openpgp' | 'age' | 'none';
  /** OpenPGP recipients (scheme `openpgp`). */
  recipients: RecipientKey[];
  /** age X25519 recipients (scheme `age`). */
  ageRecipients?: AgeRecipient[];
  passphrase?: string;
  /** log2 of age's scrypt work factor for a passphrase (default 18, as age itself). */
  scryptWorkFactor?: number;
}

/**
 * Which scheme the given keys call for, or why they cannot go together. Pure: `ageRecipients`
 * and `openpgpKeys` say whether `recipients` held keys of each kind.
 */
export function chooseScheme(
  setting: Exclude<EncryptionSetting, 'none'>,
  keys: { ageRecipients: boolean; openpgpKeys: boolean; passphrase: boolean },
): { scheme: 'openpgp' | 'age' } | { problem: string; fix: string } {
  if (keys.ageRecipients && keys.openpgpKeys) {
    return {
      problem: '`recipients` holds both age recipients (`age1…`) and OpenPGP keys; one backup is encrypted with one scheme.',
      fix: 'Keep only the age recipients (`encryption: age`) or only the OpenPGP keys (`encryption: openpgp`).',
    };
  }
  if (setting === 'openpgp' && keys.ageRecipients) {
    return { problem: '`encryption` is `openpgp` but `recipients` holds age recipients (`age1…`).', fix: 'Set `encryption: age` (or `auto`), or give OpenPGP public keys.' };
  }
  if (setting === 'age' && keys.openpgpKeys) {
    return { problem: '`encryption` is `age` but `recipients` holds OpenPGP keys (or lines that are not `age1…` recipients).', fix: 'Give age recipients (`age1…`, or files of them), or set `encryption: openpgp` (or `auto`).' };
  }
  const age = setting === 'age' || (setting === 'auto' && keys.ageRecipients);
  if (age && keys.ageRecipients && keys.passphrase) {
    return {
      problem: 'age cannot encrypt to recipients and a passphrase at once (a passphrase file must have no other recipient), but both `recipients` and `passphrase` are set.',
      fix: 'Remove `passphrase` and decrypt with an age identity, or remove the age recipients to encrypt to the passphrase alone.',
    };
  }
  return { scheme: age ? 'age' : 'openpgp' };
}

/** Recipients expiring within this many days draw a warning. */
export const EXPIRY_WARNING_DAYS = 30;

/** Shorter passphrases draw a warning (they are brute-forced offline against stored backups). */
const SHORT_PASSPHRASE = 16;

/**
 * Validates the encryption options into a plan. Fails closed: nothing configured and scheme
 * not explicitly 'none' → NoEncryptionKeyError, before any data is read.
 */
export async function prepareEncryption(
  options: { encryption: EncryptionSetting; recipients?: string; passphrase?: string },
  reporter: Reporter,
  context: { cwd?: string; now?: Date; scryptWorkFactor?: number } = {},
): Promise<EncryptionPlan> {
  reporter.secret(options.passphrase);
  const recipientsText = options.recipients?.trim() ? options.recipients : undefined;
  const passphrase = normalizePassphrase(options.passphrase, 'passphrase');

  if (options.encryption === 'none') {
    if (recipientsText || passphrase) {
      throw new OptionError(
        `\`encryption\` is \`none\` but ${[recipientsText && '`recipients`', passphrase && '`passphrase`'].filter(Boolean).join(' and ')} ${recipientsText && passphrase ? 'are' : 'is'} set.`,
        'Remove `encryption: none` to encrypt (the default), or remove the keys to store plaintext on purpose.',
      );
    }
    reporter.warning('Encryption is off (`encryption: none`): this backup is stored as plaintext and anyone who can read the store can read it.');
    return { scheme: 'none', recipients: [] };
  }

  if (!recipientsText && !passphrase) {
    throw new NoEncryptionKeyError(
      'No encryption key is configured: `recipients` and `passphrase` are both empty, so no backup is taken.',
      'Set `recipients` to one or more age recipients (`age1…`) or OpenPGP public keys (armored, or paths to key files) and/or set `passphrase`; to store plaintext on purpose, set `encryption: none`.',
    );
  }

  const split = recipientsText ? await splitAgeRecipients(recipientsText, { option: 'recipients', cwd: context.cwd }) : { age: [], rest: '' };
  const choice = chooseScheme(options.encryption, { ageRecipients: split.age.length > 0, openpgpKeys: split.rest.trim() !== '', passphrase: Boolean(passphrase) });
  if ('problem' in choice) throw new OptionError(choice.problem, choice.fix);
  if (passphrase && passphrase.length < SHORT_PASSPHRASE) {
    reporter.warning(`The passphrase is shorter than ${SHORT_PASSPHRASE} characters; stored backups can be attacked offline. Use a long random passphrase.`);
  }
  if (choice.scheme === 'age') {
    const ageRecipients = [...new Map(split.age.map((r) => [r.recipient, r])).values()];
    const workFactor = context.scryptWorkFactor ?? DEFAULT_SCRYPT_WORK_FACTOR;
    reporter.info(
      ageRecipients.length > 0
        ? `Encrypting with age to ${ageRecipients.map((r) => r.recipient).join(', ')}; any one of them can decrypt.`
        : `Encrypting with age to a passphrase (scrypt, work factor 2^${workFactor}).`,
    );
    return passphrase ? { scheme: 'age', recipients: [], ageRecipients, passphrase, scryptWorkFactor: workFactor } : { scheme: 'age', recipients: [], ageRecipients };
  }

  const now = context.now ?? new Date();
  const recipients = recipientsText ? await loadRecipients(recipientsText, { cwd: context.cwd, now }) : [];
  const soon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000);
  for (const recipient of recipients) {
    if (recipient.expires && recipient.expires <= soon) {
      const days = Math.max(0, Math.floor((recipient.expires.getTime() - now.getTime()) / 86_400_000));
      reporter.warning(
        `Recipient key ${describeKey(recipient)} expires on ${recipient.expires.toISOString()} (in ${days} day${days === 1 ? '' : 's'}); backups will stop once it expires. Extend it with \`gpg --quick-set-expire ${recipient.fingerprint} 2y '*'\` and update \`recipients\`, or add its successor now.`,
      );
    }
  }
  const parts = recipients.map((r) => `${describeKey(r)} [subkey ${r.encryptionKeyId.toUpperCase()}]`);
  if (passphrase) parts.push('a passphrase');
  reporter.info(`Encrypting with OpenPGP to ${parts.join(', ')}; any one of them can decrypt.`);
  return passphrase ? { scheme: 'openpgp', recipients, passphrase } : { scheme: 'openpgp', recipients };
}

/** The manifest's `encryption` section: scheme, recipient fingerprints and user ids (or age recipients), whether a passphrase works. No secrets. */
export function describeEncryption(plan: EncryptionPlan): ManifestEncryption {
  const section: ManifestEncryption = {
    scheme: plan.scheme,
    recipients: plan.recipients.map((r) => ({ fingerprint: r.fingerprint, userIds: [...r.userIds] })),
    passphrase: plan.scheme !== 'none' && Boolean(plan.passphrase),
  };
  if (plan.scheme === 'age') section.ageRecipients = (plan.ageRecipients ?? []).map((r) => r.recipient);
  return section;
}

/**
 * Drops one trailing newline (gpg reads passphrases as a line, so it can never contain one)
 * and refuses a passphrase spanning several lines, which gpg could not be given at restore.
 */
export function normalizePassphrase(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const stripped = value.replace(/\r?\n$/, '');
  if (stripped === '') return undefined;
  if (/[\r\n]/.test(stripped)) {
    throw new PassphraseError(
      `\`${option}\` spans several lines; gpg reads a passphrase as one line, so a backup encrypted with it could not be decrypted with gpg.`,
      `Use a single-line passphrase for \`${option}\`.`,
    );
  }
  return stripped;
}
