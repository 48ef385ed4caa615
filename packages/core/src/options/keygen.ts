import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';

/** `lifeboat keygen`: a key pair for operators who have none. */
export const keygenOperation = defineOperation({
  command: 'keygen',
  summary: 'Make the key pairs a setup needs, one to encrypt backups (OpenPGP, or age with `--type age`) and one to sign them (OpenPGP); private keys go to files, never to the log.',
  options: {
    type: opt.enum(['openpgp', 'age'] as const, {
      default: 'openpgp',
      description: 'Kind of the encryption pair: `openpgp` (GnuPG-compatible) or `age` (an X25519 identity file as `age-keygen` writes it, and its `age1…` recipient). The signing pair is OpenPGP either way.',
    }),
    'key-name': opt.string({
      default: 'Lifeboat backups',
      description: 'Name in the keys\' user ids, e.g. `Lifeboat backups (prod)` (the signing key gets ` (signing)` after it).',
    }),
    'key-email': opt.string({
      description: 'E-mail address in the keys\' user ids (optional).',
    }),
    'key-passphrase': opt.text({
      secret: true,
      description: 'Passphrase protecting the OpenPGP private keys (an age identity file is never protected, as with `age-keygen`). Empty: unprotected (store the files as secrets right away).',
    }),
    'out-dir': opt.string({
      default: '.',
      description: 'Folder for the encryption pair `<fingerprint>.pub.asc` and `<fingerprint>.key.asc` (age: `age-<last 8 of the recipient>.recipient.txt` and `age-<…>.key.txt`) and the signing pair `<fingerprint>.signing.pub.asc` and `<fingerprint>.signing.key.asc` (private keys mode 0600). Existing files are never overwritten.',
    }),
  },
  outputs: {
    fingerprint: 'Fingerprint of the new OpenPGP encryption key (`--type openpgp`).',
    'age-recipient': 'The new age recipient, `age1…` (`--type age`; use it as `recipients`).',
    'public-key-path': 'File holding the encryption public key: armored OpenPGP, or the age recipient (use it as `recipients`).',
    'private-key-path': 'File holding the encryption private key: armored OpenPGP, or the age identity (use it as the `identity` secret for drills).',
    'signing-fingerprint': 'Fingerprint of the new signing key.',
    'signing-public-key-path': 'File holding the armored signing public key (use it as `signing-public-key` for drills and restores).',
    'signing-private-key-path': 'File holding the armored signing private key (use it as the `signing-key` secret of backups, and nowhere else).',
  },
});

/** Parsed options of `keygen`. */
export type KeygenOptions = ResolvedOptions<typeof keygenOperation.options>;
