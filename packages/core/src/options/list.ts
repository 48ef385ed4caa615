import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';
import { recordVerificationOptions } from './record-signing.js';

/** `lifeboat list`. */
export const listOperation = defineOperation({
  command: 'list',
  summary: 'List the backups in a store: id, time, size, complete or not, encryption, and the last drill of each.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to list. Empty: every name under the store.',
    }),
    stack: opt.string({
      description:
        'Path of a stack file (`lifeboat.yml`): list its stack backups (complete when every member backup is still there as recorded, else incomplete naming the member), each with its members and its last stack drill. Its `store` is used when `store` is empty.',
    }),
    ...recordVerificationOptions,
  },
  outputs: {
    names: 'Backup names listed, comma-separated.',
    complete: 'Number of complete backups.',
    incomplete: 'Number of incomplete backups (objects but no manifest).',
    unreadable: 'Number of backups whose manifest cannot be read.',
    'newest-backup-id': 'Id of the newest complete backup (when one name is listed), or of the newest complete stack backup with `stack`.',
  },
});

/** Parsed options of `list`. */
export type ListOptions = ResolvedOptions<typeof listOperation.options>;
