import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';

/** `lifeboat keygen`: a key pair for operators who have none. */
export const keygenOperation = defineOperation({
  command: 'keygen',
  summary: 'Make a GnuPG-compatible OpenPGP key pair for encrypting backups; the private key goes to a file, never to the log.',
  options: {
    'key-name': opt.string({
      default: 'Lifeboat backups',
      description: 'Name in the key\'s user id, e.g. `Lifeboat backups (prod)`.',
    }),
    'key-email': opt.string({
      description: 'E-mail address in the key\'s user id (optional).',
    }),
    'key-passphrase': opt.text({
      secret: true,
      description: 'Passphrase protecting the private key. Empty: unprotected (store the file as a secret right away).',
    }),
    'out-dir': opt.string({
      default: '.',
      description: 'Folder for `<fingerprint>.pub.asc` (public key) and `<fingerprint>.key.asc` (private key, mode 0600). Existing files are never overwritten.',
    }),
  },
  outputs: {
    fingerprint: 'Fingerprint of the new key.',
    'public-key-path': 'File holding the armored public key (use it as `recipients`).',
    'private-key-path': 'File holding the armored private key (use it as the `identity` secret for drills).',
  },
});

/** Parsed options of `keygen`. */
export type KeygenOptions = ResolvedOptions<typeof keygenOperation.options>;
