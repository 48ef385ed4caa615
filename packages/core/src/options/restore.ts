import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { decryptionOptions, storeOptions } from './common.js';
import { backupSelectionOptions } from './drill.js';
import { engineRestoreOptions } from '../engines/options.js';
import { signatureVerificationOptions } from './signing.js';
import { stackOptions } from './stack.js';

/** `lifeboat restore`: a real recovery, with the drill's verification. */
export const restoreOperation = defineOperation({
  command: 'restore',
  summary: 'Restore a backup into a given (empty) database or server for a real recovery, verified like a drill. Set the target option of the backup\'s kind: `target-database-url` or `target-redis-url`.',
  options: {
    ...stackOptions,
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to restore from. Empty: the only name in the store (an error when it holds several).',
    }),
    ...backupSelectionOptions,
    ...decryptionOptions,
    ...signatureVerificationOptions,
    ...engineRestoreOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup restored.',
    'duration': 'Total time in seconds.',
    'checks-failed': 'Number of failed checks (tables and row counts, key counts).',
  },
});

/** Parsed options of `restore`. */
export type RestoreOptions = ResolvedOptions<typeof restoreOperation.options>;
