import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { decryptionOptions, storeOptions } from './common.js';
import { backupSelectionOptions } from './drill.js';
import { postgresRestoreOptions } from '../engines/postgres/options.js';
import { signatureVerificationOptions } from './signing.js';
import { toolchainOptions } from './toolchain.js';

/** `lifeboat restore`: a real recovery, with the drill's verification. */
export const restoreOperation = defineOperation({
  command: 'restore',
  summary: 'Restore a backup into a given database for a real recovery, verified like a drill.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to restore from. Empty: the only name in the store (an error when it holds several).',
    }),
    ...backupSelectionOptions,
    ...decryptionOptions,
    ...signatureVerificationOptions,
    'target-database-url': opt.string({
      required: true,
      secret: true,
      description: 'PostgreSQL URL of the database to restore into. It must exist and hold no tables.',
    }),
    ...postgresRestoreOptions,
    ...toolchainOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup restored.',
    'duration': 'Total time in seconds.',
    'checks-failed': 'Number of failed checks (tables and row counts).',
  },
});

/** Parsed options of `restore`. */
export type RestoreOptions = ResolvedOptions<typeof restoreOperation.options>;
