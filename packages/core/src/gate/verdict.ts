import { isFuture, MAX_CLOCK_SKEW_MS } from '../catalog/clock-skew.js';
import { formatDuration } from '../options/values.js';

/** What the gate looks at: the newest complete backup and the newest conclusive drill of one name. */
export interface GateFacts {
  /** The backup name, for messages; undefined when the store holds no backups at all. */
  readonly name?: string;
  readonly backup?: { readonly id: string; readonly time: Date };
  readonly drill?: {
    readonly id: string;
    readonly verdict: 'pass' | 'fail';
    readonly finishedAt: Date;
    readonly backupId?: string;
    /** SHA-256 of what the drill restored (a manifest, or a stack record), as the record names it. */
    readonly manifestSha256?: string;
    readonly failure?: string;
  };
  /** Inconclusive drills newer than `drill` (stopped by their setup), newest first: they neither pass nor fail the gate. */
  readonly inconclusive?: readonly { readonly id: string; readonly failure?: string }[];
  /** A drill record that cannot be read and may be newer than `drill`: it could say `fail`. */
  readonly unreadableDrill?: { readonly key: string; readonly problem: string };
  /** Whether the drilled backup's stored manifest still has the SHA-256 the drill record names (reported, not judged). */
  readonly chain?: { readonly ok: boolean; readonly text: string };
  /** Backups and drill records left out (dated in the future, or unsigned where signatures are checked), one sentence each. */
  readonly ignored?: readonly string[];
}

/** The limits, in milliseconds. */
export interface GateLimits {
  readonly maxBackupAge: number;
  readonly maxDrillAge: number;
}

/** The gate's decision, with every reason it fails. */
export interface GateVerdict {
  readonly pass: boolean;
  readonly backupOk: boolean;
  readonly drillOk: boolean;
  /** One sentence per problem: what is missing, how old things are, and the limit. */
  readonly problems: readonly string[];
  /** What the gate skipped and why, one sentence each; never a reason to fail. */
  readonly notes: readonly string[];
  readonly backupAgeMs?: number;
  readonly drillAgeMs?: number;
}

/**
 * Passes only when the newest complete backup is at most `maxBackupAge` old and the newest
 * conclusive drill of the name passed and is at most `maxDrillAge` old. Newer inconclusive
 * drills are named in `notes` and skipped. Pure: ages come from `now`. A time more than the
 * allowed clock skew in the future has no age: it never passes.
 */
export function gateVerdict(facts: GateFacts, limits: GateLimits, now: Date): GateVerdict {
  const problems: string[] = [];
  const notes: string[] = [];
  const name = facts.name ? `\`${facts.name}\`` : 'this store';

  let backupOk = false;
  let backupAgeMs: number | undefined;
  if (!facts.backup) {
    problems.push(`There is no complete backup of ${name}; take a backup before deploying.`);
  } else if (isFuture(facts.backup.time, now)) {
    problems.push(`The newest backup (${facts.backup.id}) is dated ${inFuture(facts.backup.time, now)}; its age is unknown.`);
  } else {
    backupAgeMs = Math.max(0, now.getTime() - facts.backup.time.getTime());
    backupOk = backupAgeMs <= limits.maxBackupAge;
    if (!backupOk) {
      problems.push(
        `The newest backup (${facts.backup.id}) is ${formatDuration(backupAgeMs)} old (max ${formatLimit(limits.maxBackupAge)}).`,
      );
    }
  }

  let drillOk = false;
  let drillAgeMs: number | undefined;
  if (facts.unreadableDrill) {
    problems.push(
      `The drill record ${facts.unreadableDrill.key} cannot be read (${facts.unreadableDrill.problem}) and may be the newest; its verdict is unknown.`,
    );
  }
  const inconclusive = facts.inconclusive ?? [];
  if (inconclusive.length > 0) {
    const newest = inconclusive[0]!;
    const more = inconclusive.length > 1 ? ` (and ${inconclusive.length - 1} more inconclusive after it)` : '';
    const looks = facts.drill ? `looks at the newest conclusive drill, ${facts.drill.id}` : 'has no conclusive drill to look at';
    notes.push(`The newest drill (${newest.id}) was inconclusive${newest.failure ? ` (${newest.failure})` : ''}${more}: its setup stopped it, so it neither passes nor fails the gate, which ${looks}.`);
  }
  if (!facts.drill) {
    const none = inconclusive.length > 0 ? 'No conclusive restore drill has run' : 'No restore drill has run';
    problems.push(`${none} for ${name} (one must have passed within ${formatLimit(limits.maxDrillAge)}); run a restore drill.`);
  } else if (isFuture(facts.drill.finishedAt, now)) {
    problems.push(`The newest drill (${facts.drill.id}) is dated ${inFuture(facts.drill.finishedAt, now)}; its verdict is not trusted.`);
  } else {
    const drill = facts.drill;
    drillAgeMs = Math.max(0, now.getTime() - drill.finishedAt.getTime());
    const ofBackup = drill.backupId ? ` of backup ${drill.backupId}` : '';
    if (drill.verdict !== 'pass') {
      const why = drill.failure ? `: ${drill.failure}` : '';
      problems.push(`The newest drill (${drill.id}${ofBackup}) failed ${formatDuration(drillAgeMs)} ago${why}.`);
    } else if (drillAgeMs > limits.maxDrillAge) {
      problems.push(
        `The newest drill (${drill.id}${ofBackup}) passed, but ${formatDuration(drillAgeMs)} ago (max ${formatLimit(limits.maxDrillAge)}).`,
      );
    } else {
      drillOk = !facts.unreadableDrill;
    }
  }

  return { pass: backupOk && drillOk, backupOk, drillOk, problems, notes, backupAgeMs, drillAgeMs };
}

function inFuture(time: Date, now: Date): string {
  return `${formatDuration(time.getTime() - now.getTime())} in the future (more than the ${formatDuration(MAX_CLOCK_SKEW_MS)} of clock skew allowed)`;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** A limit the way operators write it, in the largest unit that divides it exactly: `26h`, `90d`, `90m`. */
export function formatLimit(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return formatDuration(ms);
}
