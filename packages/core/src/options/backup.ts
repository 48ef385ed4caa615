import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { encryptionOptions, storeOptions } from './common.js';
import { engineBackupOptions } from '../engines/options.js';
import { retentionOptions } from './retention.js';
import { signingOptions } from './signing.js';
import { notifyOptions } from './notify.js';
import { stackOptions } from './stack.js';
import { artifactOptions, s3UploadOptions, storeCreationOptions } from './storage.js';

/** `lifeboat backup` and `actions/backup`. */
export const backupOperation = defineOperation({
  command: 'backup',
  summary: 'Take an encrypted logical backup of PostgreSQL or Redis and store it with a manifest written last.',
  options: {
    preflight: opt.boolean({
      default: 'false',
      surfaces: ['action'],
      description:
        'Only run the preflight checks (tools, settings, keys, store, source and its privileges; no data is read) and print their PASS/FAIL table; no backup is taken. Every backup runs them first anyway.',
    }),
    ...stackOptions,
    ...engineBackupOptions,
    ...storeOptions,
    ...storeCreationOptions,
    ...s3UploadOptions,
    ...artifactOptions,
    ...encryptionOptions,
    ...signingOptions,
    ...retentionOptions,
    ...notifyOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup taken (sorts by time); with several databases, the last one.',
    location: 'Where the backup was stored: the store and the key of its manifest.',
    size: 'Bytes the backup holds in the store: every object, signature and manifest included, the size `lifeboat list` shows.',
    sha256: 'SHA-256 of the stored payload bytes.',
    duration: 'Duration of the backup in seconds.',
    recipients: 'Fingerprints of the OpenPGP recipient keys, or the age recipients, comma-separated.',
    encrypted: '`true`, or `false` when `encryption: none` was set.',
    backups: 'Every backup taken, as a JSON array of `{name, id, size, sha256, manifest}`.',
    pruned: 'Backups deleted by retention after this backup (0 when no keep rule is set).',
    passed: 'With `preflight: true` only: `true` when every check passed (warnings allowed), else `false`.',
    failed: 'With `preflight: true` only: names of the checks that failed, comma-separated.',
  },
  action: {
    folder: 'backup',
    name: 'Lifeboat backup',
    description: 'Encrypted logical backup of PostgreSQL, Redis or any dump tool to S3, GitHub artifacts or a folder, with a manifest written last.',
    icon: 'archive',
    color: 'blue',
  },
});

/** Parsed options of `backup`. */
export type BackupOptions = ResolvedOptions<typeof backupOperation.options>;
