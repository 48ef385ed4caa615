import { opt } from './define.js';
import type { ResolvedOptions } from './define.js';

const count = (what: string) =>
  opt.integer({
    min: 0,
    description: `Keep the newest complete backup of each of the newest N ${what} (UTC). Empty or 0: rule not used.`,
  });

/**
 * GFS retention, as restic's `forget` spells it. Used by `prune`, and by `backup` to prune
 * after a successful backup (only when at least one keep rule is set).
 */
export const retentionOptions = {
  'keep-last': opt.integer({
    min: 0,
    description: 'Keep the newest N complete backups. Empty or 0: rule not used.',
  }),
  'keep-hourly': count('hours'),
  'keep-daily': count('days'),
  'keep-weekly': count('ISO weeks, Monday to Sunday'),
  'keep-monthly': count('months'),
  'keep-yearly': count('years'),
  'keep-within': opt.duration({
    description:
      'Keep every complete backup taken within this duration before the newest complete backup, e.g. `14d`.',
  }),
  'incomplete-grace': opt.duration({
    default: '24h',
    description:
      'Incomplete backups (no manifest) are deleted only once nothing was written to them for this long; younger ones may still be in progress. At least `1h`.',
  }),
};

/** Parsed retention options. */
export type RetentionOptions = ResolvedOptions<typeof retentionOptions>;
