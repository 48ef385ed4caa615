import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { encryptionOptions, storeOptions } from './common.js';

/** `lifeboat backup` and `actions/backup`. */
export const backupOperation = defineOperation({
  command: 'backup',
  summary: 'Take an encrypted logical backup of PostgreSQL and store it with a manifest written last.',
  options: {
    'database-url': opt.string({
      secret: true,
      description: 'PostgreSQL connection URL of the source (`postgres://user:pass@host:5432/db`). Empty: the standard `PG*` variables.',
    }),
    ...storeOptions,
    ...encryptionOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup taken (sorts by time).',
    location: 'Where the backup was stored (store URL and key of the manifest).',
    size: 'Stored size of the payload in bytes.',
    sha256: 'SHA-256 of the stored payload bytes.',
    duration: 'Duration of the backup in seconds.',
    recipients: 'Fingerprints of the recipient keys, comma-separated.',
  },
  action: {
    folder: 'backup',
    name: 'Lifeboat backup',
    description: 'Encrypted logical backup of PostgreSQL to S3, GitHub artifacts or a folder, with a manifest written last.',
    icon: 'archive',
    color: 'blue',
  },
});

/** Parsed options of `backup`. */
export type BackupOptions = ResolvedOptions<typeof backupOperation.options>;
