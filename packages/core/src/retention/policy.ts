import { futureBackupProblem } from '../catalog/clock-skew.js';
import { byNewest, newestDrilled, type BackupFacts } from '../catalog/decisions.js';
import { formatDuration } from '../options/values.js';
import { BUCKET_UNITS, bucketOf, type BucketUnit } from './buckets.js';

/**
 * A GFS retention policy in the manner of restic's `forget`. Counts of 0 or absent mean the
 * rule is not used. Only complete backups fill keep rules, so a failed run never takes the
 * slot of the good backup of the same day.
 */
export interface RetentionPolicy {
  /** Keep the newest N complete backups. */
  readonly keepLast?: number;
  /** Keep the newest backup of each of the newest N hours / days / ISO weeks / months / years (UTC). */
  readonly keepHourly?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
  readonly keepYearly?: number;
  /**
   * Keep every complete backup taken within this many milliseconds before the newest complete
   * backup, or before now if that is earlier (as restic does: measured from the newest backup,
   * so a stopped schedule does not age everything out; never from a time still to come).
   */
  readonly keepWithin?: number;
  /** Incomplete backups written to within this many milliseconds are kept: they may still be in progress. */
  readonly incompleteGrace: number;
}

/** What retention needs to know of a backup; a CatalogBackup has it all. */
export interface RetentionCandidate extends BackupFacts {
  /** The newest write to the backup's folder (object last-modified, else the id's time). */
  readonly lastWrite: Date;
  /** Why it is incomplete when it has a manifest (a partial export); absent for a missing manifest. */
  readonly problem?: string;
  /** True when a drill record naming it cannot be read (it may record a pass). */
  readonly unreadableDrill?: boolean;
  /** Its manifest's times, when it has one: a start or finish in the future is not trusted either. */
  readonly manifest?: { readonly startedAt: string; readonly finishedAt: string };
  /** The stack records (`<stack>/<id>`) kept by the same rules that name this backup as a member. */
  readonly pinnedBy?: readonly string[];
}

/** Why a backup is kept. */
export type KeepRule =
  | 'last'
  | BucketUnit
  | 'within'
  | 'newest-complete'
  | 'newest-drilled'
  | 'in-grace'
  | 'unreadable'
  | 'unreadable-drill'
  | 'future'
  | 'stack'
  | 'no-policy';

/** One reason a backup is kept, e.g. `{ rule: 'daily', detail: '2025-12-31 (1 of 7)' }`. */
export interface KeepReason {
  readonly rule: KeepRule;
  readonly detail: string;
}

/** The verdict for one backup. */
export interface RetentionDecision<T> {
  readonly backup: T;
  readonly action: 'keep' | 'delete';
  /** Every reason it is kept; empty when it is deleted. */
  readonly reasons: readonly KeepReason[];
  /** Why it is deleted (delete only). */
  readonly why?: string;
}

type CountField = 'keepHourly' | 'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly';

const COUNT_FIELDS: Record<BucketUnit, CountField> = {
  hourly: 'keepHourly',
  daily: 'keepDaily',
  weekly: 'keepWeekly',
  monthly: 'keepMonthly',
  yearly: 'keepYearly',
};

/** True when the policy has at least one keep rule; without one nothing may be deleted. */
export function hasKeepRule(policy: Omit<RetentionPolicy, 'incompleteGrace'>): boolean {
  return (
    positive(policy.keepLast) ||
    BUCKET_UNITS.some((unit) => positive(policy[COUNT_FIELDS[unit]])) ||
    positive(policy.keepWithin)
  );
}

/**
 * Decides keep or delete for every backup, newest first, with every reason each is kept.
 * Pure: the same catalog, policy and clock always give the same plan. Whatever the policy,
 * the newest complete backup, the newest backup that passed a drill, backups with an
 * unreadable manifest, backups named by a drill record that cannot be read, and incomplete
 * backups within the grace period are kept, and so is every member backup a kept stack record
 * names (`pinnedBy`: a stack drill needs all its members); an empty policy keeps everything. A backup whose
 * id or manifest times lie in the future (beyond the clock skew allowed) is kept and takes no
 * part in the rules: it fills no slot, is never "the newest", and so can push nothing out.
 */
export function applyRetention<T extends RetentionCandidate>(
  backups: readonly T[],
  policy: RetentionPolicy,
  now: Date,
): RetentionDecision<T>[] {
  const ordered = byNewest(backups);
  const reasons = new Map<T, KeepReason[]>();
  const keep = (backup: T, rule: KeepRule, detail: string) => {
    const list = reasons.get(backup) ?? [];
    list.push({ rule, detail });
    reasons.set(backup, list);
  };

  if (!hasKeepRule(policy)) {
    for (const backup of ordered) keep(backup, 'no-policy', 'no keep rule is set');
    return ordered.map((backup) => ({ backup, action: 'keep', reasons: reasons.get(backup)! }));
  }

  const future = new Map<T, string>();
  for (const backup of ordered) {
    const problem = futureBackupProblem(backup, now);
    if (problem) future.set(backup, problem);
  }
  for (const [backup, problem] of future) keep(backup, 'future', `${problem}: not trusted yet, so it is kept and counts for no rule`);
  // Only backups whose times can be true take part in the rules.
  const present = ordered.filter((b) => !future.has(b));
  const complete = present.filter((b) => b.state === 'complete');
  const last = count(policy.keepLast);
  complete.slice(0, last).forEach((backup, index) => keep(backup, 'last', `${index + 1} of ${last}`));

  for (const unit of BUCKET_UNITS) {
    const wanted = count(policy[COUNT_FIELDS[unit]]);
    let previous: string | undefined;
    let used = 0;
    // Newest first: the first backup seen in a bucket is that bucket's newest.
    for (const backup of complete) {
      if (used >= wanted) break;
      const bucket = bucketOf(unit, backup.time);
      if (bucket === previous) continue;
      previous = bucket;
      used++;
      keep(backup, unit, `${bucket} (${used} of ${wanted})`);
    }
  }

  const newest = complete[0];
  if (newest && positive(policy.keepWithin)) {
    const since = Math.min(newest.time.getTime(), now.getTime()) - policy.keepWithin!;
    for (const backup of complete) {
      if (backup.time.getTime() >= since) keep(backup, 'within', `within ${formatDuration(policy.keepWithin!)} of the newest backup`);
    }
  }

  if (newest) keep(newest, 'newest-complete', 'the newest complete backup is always kept');
  const drilled = newestDrilled(present);
  if (drilled) keep(drilled, 'newest-drilled', 'the newest backup that passed a drill is always kept');

  for (const backup of ordered) {
    if (backup.state === 'unreadable') keep(backup, 'unreadable', 'its manifest cannot be read here, so it is left alone');
    if (backup.unreadableDrill) keep(backup, 'unreadable-drill', 'a drill record naming it cannot be read; it may record a pass');
    if (backup.pinnedBy && backup.pinnedBy.length > 0) keep(backup, 'stack', `a member of kept stack backup ${backup.pinnedBy.join(', ')}`);
    if (backup.state === 'incomplete') {
      const idle = now.getTime() - Math.max(backup.time.getTime(), backup.lastWrite.getTime());
      if (idle < policy.incompleteGrace) {
        const partial = backup.problem ? ` (${backup.problem})` : '';
        const note = backup.problem ? '' : ': it may still be in progress';
        keep(backup, 'in-grace', `incomplete${partial}, last written ${formatAge(idle)} ago, within the ${formatDuration(policy.incompleteGrace)} grace period${note}`);
      }
    }
  }

  return ordered.map((backup) => {
    const kept = reasons.get(backup);
    if (kept) return { backup, action: 'keep', reasons: kept };
    const why =
      backup.state === 'incomplete'
        ? `incomplete (${backup.problem ?? 'no manifest'}), last written ${formatAge(now.getTime() - Math.max(backup.time.getTime(), backup.lastWrite.getTime()))} ago, past the ${formatDuration(policy.incompleteGrace)} grace period`
        : 'no keep rule selects it';
    return { backup, action: 'delete', reasons: [], why };
  });
}

/** One line per reason, for plans and summaries: `daily 2025-12-31 (1 of 7)`. */
export function describeReasons(reasons: readonly KeepReason[]): string {
  return reasons.map((r) => (BUCKET_UNITS.includes(r.rule as BucketUnit) || r.rule === 'last' ? `${r.rule} ${r.detail}` : r.detail)).join('; ');
}

function positive(value: number | undefined): boolean {
  return value !== undefined && value > 0;
}

function count(value: number | undefined): number {
  return value !== undefined && value > 0 ? Math.floor(value) : 0;
}

function formatAge(ms: number): string {
  return formatDuration(Math.max(0, ms));
}
