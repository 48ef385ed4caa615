import { formatDuration } from '../options/values.js';

/**
 * How far a time from the store may lie ahead of this machine's clock before it is taken for
 * what it is: data that cannot be true yet (a skewed clock, or a forgery). Such times never
 * make a gate pass, a drill's RPO look good, or retention delete anything.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** True when `time` lies more than the allowed skew after `now`. */
export function isFuture(time: Date, now: Date, skew = MAX_CLOCK_SKEW_MS): boolean {
  return time.getTime() > now.getTime() + skew;
}

/** The times a backup carries: its id's, and its manifest's when it has one. */
export interface TimedBackup {
  readonly id: string;
  readonly time: Date;
  readonly manifest?: { readonly startedAt: string; readonly finishedAt: string };
}

/** Why a backup's times cannot be true yet (its id, start or finish lies in the future), or undefined: a clause like `its id (…) lies 1y in the future (…)`. */
export function futureBackupProblem(backup: TimedBackup, now: Date): string | undefined {
  const times: [string, Date][] = [['its id', backup.time]];
  if (backup.manifest) times.push(['its manifest\'s startedAt', new Date(backup.manifest.startedAt)], ['its manifest\'s finishedAt', new Date(backup.manifest.finishedAt)]);
  return futureProblem(times, now);
}

/** The times a drill record carries: its id's (the file name), start and finish. */
export interface TimedDrill {
  readonly id: string;
  readonly idTime?: Date;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Why a drill record's times cannot be true yet, or undefined (a clause, as for backups). */
export function futureDrillProblem(drill: TimedDrill, now: Date): string | undefined {
  const times: [string, Date][] = [['its startedAt', drill.startedAt], ['its finishedAt', drill.finishedAt]];
  if (drill.idTime) times.unshift(['its id', drill.idTime]);
  return futureProblem(times, now);
}

function futureProblem(times: [string, Date][], now: Date): string | undefined {
  for (const [which, time] of times) {
    // An unparseable time is no better than a future one.
    if (Number.isNaN(time.getTime())) return `${which} is not a time`;
    if (isFuture(time, now)) {
      return `${which} (${time.toISOString()}) lies ${formatDuration(time.getTime() - now.getTime())} in the future (more than the ${formatDuration(MAX_CLOCK_SKEW_MS)} of clock skew allowed)`;
    }
  }
  return undefined;
}
