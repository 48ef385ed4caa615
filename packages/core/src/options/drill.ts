import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { decryptionOptions, storeOptions } from './common.js';

/** `lifeboat drill` and `actions/restore-drill`. */
export const drillOperation = defineOperation({
  command: 'drill',
  summary: 'Restore the newest complete backup into an ephemeral database, run checks and publish evidence.',
  options: {
    ...storeOptions,
    ...decryptionOptions,
    'target-database-url': opt.string({
      secret: true,
      description: 'PostgreSQL URL of the ephemeral database to restore into.',
    }),
    'backup-id': opt.string({
      description: 'A specific backup to drill. Default: the newest complete backup.',
    }),
    'max-rpo': opt.duration({
      description: 'Fail when the backup is older than this at drill time (RPO), e.g. `26h`.',
    }),
    'max-rto': opt.duration({
      description: 'Fail when the whole drill takes longer than this (RTO), e.g. `1h`.',
    }),
  },
  outputs: {
    'backup-id': 'Id of the backup drilled.',
    verdict: '`pass` or `fail`.',
    'rpo-seconds': 'Backup age at drill time, in seconds.',
    'rto-seconds': 'Total drill time, in seconds.',
    'evidence-path': 'Path of the JSON evidence record on the runner.',
  },
  action: {
    folder: 'restore-drill',
    name: 'Lifeboat restore drill',
    description: 'Prove the newest backup restores: verify, decrypt, restore into an ephemeral PostgreSQL, check, and publish evidence.',
    icon: 'life-buoy',
    color: 'green',
  },
});

/** Parsed options of `drill`. */
export type DrillOptions = ResolvedOptions<typeof drillOperation.options>;
