import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';

/** `lifeboat verify`. */
export const verifyOperation = defineOperation({
  command: 'verify',
  summary:
    'Re-check the stored size and SHA-256 of every object of one or all complete backups against their manifests, without decrypting.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to verify. Empty: every name under the store.',
    }),
    'backup-id': opt.string({
      description: 'Verify only this backup. Default: every complete backup (or a sample of them).',
    }),
    sample: opt.integer({
      min: 1,
      description:
        'Verify only N backups per name: the newest complete one plus N-1 others chosen at random, for stores where reading costs.',
    }),
  },
  outputs: {
    verified: 'Number of backups verified.',
    failed: 'Number of backups with a missing or mismatching object.',
    objects: 'Number of objects read.',
    bytes: 'Bytes read.',
  },
});

/** Parsed options of `verify`. */
export type VerifyOptions = ResolvedOptions<typeof verifyOperation.options>;
