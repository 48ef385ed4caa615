import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';
import { retentionOptions } from './retention.js';

/** `lifeboat prune`. */
export const pruneOperation = defineOperation({
  command: 'prune',
  summary:
    'Delete the backups a GFS retention policy does not keep; never the newest complete backup nor the newest one that passed a drill.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to prune. Empty: the only name in the store (an error when it holds several).',
    }),
    stack: opt.string({
      description:
        'Path of a stack file (`lifeboat.yml`): prune the stack\'s records by the keep rules, then every member\'s backups, never one a kept stack record names. Its `store` is used when `store` is empty.',
    }),
    ...retentionOptions,
    'dry-run': opt.boolean({
      default: 'false',
      description: 'Print the plan (what is kept and why, what would be deleted) and delete nothing.',
    }),
  },
  outputs: {
    kept: 'Number of backups kept.',
    deleted: 'Number of backups deleted (would be deleted, in a dry run).',
    failed: 'Number of backups whose deletion failed (locked objects not included).',
    locked: 'Number of backups left in place because their objects are under S3 Object Lock.',
  },
});

/** Parsed options of `prune`. */
export type PruneOptions = ResolvedOptions<typeof pruneOperation.options>;
