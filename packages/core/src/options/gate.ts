import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';
import { notifyOptions } from './notify.js';
import { recordVerificationOptions } from './record-signing.js';

/** `actions/backup-gate` (and `lifeboat gate`). */
export const gateOperation = defineOperation({
  command: 'gate',
  summary: 'Pass only when there is a fresh backup whose newest drill passed recently.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to gate on. Empty: the only name in the store.',
    }),
    stack: opt.string({
      description:
        'Path of a stack file (`lifeboat.yml`): gate on the stack instead of one name, i.e. on its newest complete stack backup (every member still as recorded) and its newest conclusive stack drill. Its `store` is used when `store` is empty.',
    }),
    ...recordVerificationOptions,
    'max-backup-age': opt.duration({
      default: '26h',
      description: 'The newest complete backup must be younger than this.',
    }),
    'max-drill-age': opt.duration({
      default: '90d',
      description: 'The newest conclusive drill must have passed and be younger than this (an inconclusive drill, stopped by its setup, is skipped).',
    }),
    'backup-if-stale': opt.boolean({
      default: 'false',
      description:
        'When the newest backup is missing or older than `max-backup-age`, take a fresh backup first and gate on it. Its own settings (`database-url`, `recipients`, ...) come from their `LIFEBOAT_*` env vars; store settings from this step.',
    }),
    ...notifyOptions,
  },
  outputs: {
    verdict: '`pass` or `fail`.',
    'backup-id': 'Id of the newest complete backup, if any.',
    'backup-age-seconds': 'Age of the newest complete backup, in seconds (fractional).',
    'drill-id': 'Id of the newest conclusive drill record, if any.',
    'drill-age-seconds': 'Age of the newest conclusive drill, in seconds (fractional).',
    'backup-taken': 'Id of the fresh backup taken first because the newest was stale (`backup-if-stale`), if any.',
  },
  action: {
    folder: 'backup-gate',
    name: 'Lifeboat backup gate',
    description: 'PR check before risky deploys: fails unless a fresh backup exists and its newest drill passed recently.',
    icon: 'shield',
    color: 'orange',
  },
});

/** Parsed options of `gate`. */
export type GateOptions = ResolvedOptions<typeof gateOperation.options>;
