import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';

/** `lifeboat keygen`: a key pair for operators who have none. */
export const keygenOperation = defineOperation({
  command: 'keygen',
  summary: 'Make the GnuPG-compatible OpenPGP key pairs a setup needs, one to encrypt backups and one to sign them; private keys go to files, never to the log.',
  options: {
    'key-name': opt.string({
      default: 'Lifeboat backups',
      description: 'Name in the keys\' user ids, e.g. `Lifeboat backups (prod)` (the signing key gets ` (signing)` after it).',
    }),
    'key-email': opt.string({
      description: 'E-mail address in the keys\' user ids (optional).',
    }),
    'key-passphrase': opt.text({
      secret: true,
      description: 'Passphrase protecting both private keys. Empty: unprotected (store the files as secrets right away).',
    }),
    'out-dir': opt.string({
      default: '.',
      description: 'Folder for the encryption pair `<fingerprint>.pub.asc` and `<fingerprint>.key.asc` and the signing pair `<fingerprint>.signing.pub.asc` and `<fingerprint>.signing.key.asc` (private keys mode 0600). Existing files are never overwritten.',
    }),
  },
  outputs: {
    fingerprint: 'Fingerprint of the new encryption key.',
    'public-key-path': 'File holding the armored encryption public key (use it as `recipients`).',
    'private-key-path': 'File holding the armored encryption private key (use it as the `identity` secret for drills).',
    'signing-fingerprint': 'Fingerprint of the new signing key.',
    'signing-public-key-path': 'File holding the armored signing public key (use it as `signing-public-key` for drills and restores).',
    'signing-private-key-path': 'File holding the armored signing private key (use it as the `signing-key` secret of backups, and nowhere else).',
  },
});

/** Parsed options of `keygen`. */
export type KeygenOptions = ResolvedOptions<typeof keygenOperation.options>;
