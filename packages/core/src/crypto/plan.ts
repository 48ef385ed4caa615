import type { ManifestEncryption } from '../catalog/manifest.js';
import { OptionError } from '../report/errors.js';
import type { Reporter } from '../report/reporter.js';
import { NoEncryptionKeyError, PassphraseError } from './errors.js';
import { describeKey, loadRecipients, type RecipientKey } from './keys.js';

/** How a backup will be encrypted: validated keys and/or a passphrase, or explicitly nothing. */
export interface EncryptionPlan {
  scheme: 'openpgp' | 'none';
  recipients: RecipientKey[];
  passphrase?: string;
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
  options: { encryption: 'openpgp' | 'none'; recipients?: string; passphrase?: string },
  reporter: Reporter,
  context: { cwd?: string; now?: Date } = {},
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
      'Set `recipients` to one or more OpenPGP public keys (armored, or paths to key files) and/or set `passphrase`; to store plaintext on purpose, set `encryption: none`.',
    );
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
  if (passphrase && passphrase.length < SHORT_PASSPHRASE) {
    reporter.warning(`The passphrase is shorter than ${SHORT_PASSPHRASE} characters; stored backups can be attacked offline. Use a long random passphrase.`);
  }

  const parts = recipients.map((r) => `${describeKey(r)} [subkey ${r.encryptionKeyId.toUpperCase()}]`);
  if (passphrase) parts.push('a passphrase');
  reporter.info(`Encrypting with OpenPGP to ${parts.join(', ')}; any one of them can decrypt.`);
  return passphrase ? { scheme: 'openpgp', recipients, passphrase } : { scheme: 'openpgp', recipients };
}

/** The manifest's `encryption` section: scheme, recipient fingerprints and user ids, whether a passphrase works. No secrets. */
export function describeEncryption(plan: EncryptionPlan): ManifestEncryption {
  return {
    scheme: plan.scheme,
    recipients: plan.recipients.map((r) => ({ fingerprint: r.fingerprint, userIds: [...r.userIds] })),
    passphrase: plan.scheme === 'openpgp' && Boolean(plan.passphrase),
  };
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
