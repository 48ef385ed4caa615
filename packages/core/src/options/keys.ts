import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';
import { retentionOptions } from './retention.js';

/** `lifeboat keys`. */
export const keysOperation = defineOperation({
  command: 'keys',
  summary:
    'For every key the kept backups were encrypted to (OpenPGP fingerprints, age recipients): which backups the retention policy keeps that need it, which pruning would remove, and whether the key can be retired. Reads only manifests; deletes nothing.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to report on. Empty: every name in the store.',
    }),
    ...retentionOptions,
  },
  outputs: {
    keys: 'Number of keys the backups were encrypted to.',
    retirable: 'Keys no kept backup needs any more, comma-separated.',
    needed: 'Keys a kept backup still needs, comma-separated.',
  },
});

/** Parsed options of `keys`. */
export type KeysOptions = ResolvedOptions<typeof keysOperation.options>;
