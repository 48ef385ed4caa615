import type { RetentionOptions } from '../options/retention.js';
import { formatDuration } from '../options/values.js';
import { OptionError } from '../report/errors.js';
import { hasKeepRule, type RetentionPolicy } from './policy.js';

/** Below this, an incomplete backup that is still being written could be taken for a failed one. */
export const MIN_INCOMPLETE_GRACE_MS = 3_600_000;

/** Builds the retention policy from options; refuses a policy without any keep rule and a grace period that is too short. */
export function retentionPolicyFrom(options: RetentionOptions): RetentionPolicy {
  const policy: RetentionPolicy = {
    keepLast: options.keepLast,
    keepHourly: options.keepHourly,
    keepDaily: options.keepDaily,
    keepWeekly: options.keepWeekly,
    keepMonthly: options.keepMonthly,
    keepYearly: options.keepYearly,
    keepWithin: options.keepWithin,
    incompleteGrace: options.incompleteGrace,
  };
  if (!hasKeepRule(policy)) {
    throw new OptionError(
      'Prune needs at least one keep rule; without one it would have no way to tell what to keep, so it deletes nothing.',
      'Set keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly or keep-within, e.g. keep-daily 7, keep-weekly 4, keep-monthly 12.',
    );
  }
  if (policy.incompleteGrace < MIN_INCOMPLETE_GRACE_MS) {
    throw new OptionError(
      `incomplete-grace of ${formatDuration(policy.incompleteGrace)} is shorter than 1h: a backup still being written could be deleted.`,
      'Set incomplete-grace to 1h or more (default 24h).',
    );
  }
  return policy;
}


/** The retention policy when options set at least one keep rule (checked as `retentionPolicyFrom` does), else undefined. */
export function retentionPolicyIfAny(options: RetentionOptions): RetentionPolicy | undefined {
  return hasKeepRule({ ...options }) ? retentionPolicyFrom(options) : undefined;
}
