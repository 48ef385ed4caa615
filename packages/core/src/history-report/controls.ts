/**
 * Declared recovery targets checked against drill history, per calendar month or quarter (UTC).
 * Pure: the report reads records and passes them in, so the decisions are tested on tables.
 * The lines support ISO/IEC 27001:2022 A.8.13 and SOC 2 A1.2/A1.3 as references only; meeting
 * them is evidence for an auditor, not a certification.
 */

/** The targets a report checks; an absent target is not checked. */
export interface Targets {
  maxRpoMs?: number;
  maxRtoMs?: number;
  /** At most this long between passing drills (`drill-every`). */
  drillEveryMs?: number;
}

/** The fields of a verified drill record the controls need. */
export interface DrillPoint {
  id: string;
  finishedAt: string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  rpoMs?: number;
  rtoMs?: number;
  manifestSha256?: string;
}

export type PeriodKind = 'month' | 'quarter';
export type ControlName = 'max-rpo' | 'max-rto' | 'drill-cadence';

/** One target in one period: met or missed, with the drills that prove it. */
export interface ControlLine {
  period: string;
  control: ControlName;
  met: boolean;
  /** Why it was missed; absent when met. */
  reason?: string;
  drillIds: string[];
  manifestSha256s: string[];
}

/** The control references the lines support (references, not a certification claim). */
export const CONTROL_REFERENCES = ['ISO/IEC 27001:2022 A.8.13', 'SOC 2 A1.2', 'SOC 2 A1.3'] as const;

/** `2026-03` for a month, `2026-Q1` for a quarter (UTC). */
export function periodKey(time: Date, kind: PeriodKind): string {
  const year = time.getUTCFullYear();
  const month = time.getUTCMonth();
  return kind === 'month'
    ? `${year}-${String(month + 1).padStart(2, '0')}`
    : `${year}-Q${Math.floor(month / 3) + 1}`;
}

/** The start of the period holding `time`, and the start of the next one (UTC). */
export function periodBounds(time: Date, kind: PeriodKind): { start: Date; end: Date } {
  const year = time.getUTCFullYear();
  const first = kind === 'month' ? time.getUTCMonth() : Math.floor(time.getUTCMonth() / 3) * 3;
  const length = kind === 'month' ? 1 : 3;
  return { start: new Date(Date.UTC(year, first, 1)), end: new Date(Date.UTC(year, first + length, 1)) };
}

/** Every period from the one holding `from` to the one holding `to`, in order. */
export function periodsBetween(from: Date, to: Date, kind: PeriodKind): { key: string; start: Date; end: Date }[] {
  const periods: { key: string; start: Date; end: Date }[] = [];
  let { start, end } = periodBounds(from, kind);
  while (start.getTime() <= to.getTime()) {
    periods.push({ key: periodKey(start, kind), start, end });
    ({ start, end } = periodBounds(end, kind));
  }
  return periods;
}

/**
 * The control lines for each period from `from` to `now`. A period without a conclusive
 * drill misses max-rpo and max-rto (no evidence); a failing drill or a figure over its target
 * misses them. Drill cadence is missed when, at some moment of the period up to `now`, the
 * last passing drill (or the period's start, before any) is older than `drillEveryMs`.
 */
export function controlLines(
  drills: readonly DrillPoint[],
  targets: Targets,
  kind: PeriodKind,
  from: Date,
  now: Date,
): ControlLine[] {
  const sorted = [...drills]
    .filter((drill) => drill.verdict !== 'inconclusive')
    .sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const lines: ControlLine[] = [];
  for (const period of periodsBetween(from, now, kind)) {
    const inPeriod = sorted.filter((drill) => {
      const at = Date.parse(drill.finishedAt);
      return at >= period.start.getTime() && at < period.end.getTime();
    });
    const proof = (list: readonly DrillPoint[]) => ({
      drillIds: list.map((drill) => drill.id),
      manifestSha256s: list.flatMap((drill) => (drill.manifestSha256 ? [drill.manifestSha256] : [])),
    });
    for (const [control, limit, figure] of [
      ['max-rpo', targets.maxRpoMs, (drill: DrillPoint) => drill.rpoMs],
      ['max-rto', targets.maxRtoMs, (drill: DrillPoint) => drill.rtoMs],
    ] as const) {
      if (limit === undefined) continue;
      const reason =
        inPeriod.length === 0
          ? 'no drill in the period'
          : figureMiss(inPeriod, limit, figure);
      lines.push({ period: period.key, control, met: reason === undefined, ...(reason ? { reason } : {}), ...proof(inPeriod) });
    }
    if (targets.drillEveryMs !== undefined) {
      const reason = cadenceMiss(sorted, targets.drillEveryMs, period.start, new Date(Math.min(period.end.getTime(), now.getTime())));
      const passing = inPeriod.filter((drill) => drill.verdict === 'pass');
      lines.push({ period: period.key, control: 'drill-cadence', met: reason === undefined, ...(reason ? { reason } : {}), ...proof(passing) });
    }
  }
  return lines;
}

function figureMiss(
  drills: readonly DrillPoint[],
  limit: number,
  figure: (drill: DrillPoint) => number | undefined,
): string | undefined {
  for (const drill of drills) {
    if (drill.verdict === 'fail') return `drill ${drill.id} failed`;
    const value = figure(drill);
    if (value === undefined) return `drill ${drill.id} has no figure`;
    if (value > limit) return `drill ${drill.id}: ${value} ms over ${limit} ms`;
  }
  return undefined;
}

function cadenceMiss(sorted: readonly DrillPoint[], everyMs: number, start: Date, end: Date): string | undefined {
  const passes = sorted.filter((drill) => drill.verdict === 'pass').map((drill) => Date.parse(drill.finishedAt));
  let last = passes.filter((at) => at < start.getTime()).at(-1) ?? start.getTime();
  for (const at of [...passes.filter((t) => t >= start.getTime() && t < end.getTime()), end.getTime()]) {
    if (at - last > everyMs) return `no passing drill for more than ${Math.round(everyMs / 86_400_000)} days before ${new Date(at).toISOString().slice(0, 10)}`;
    last = at;
  }
  return undefined;
}

/** A name's latest evidence, as the overdue check reads it. */
export interface NameLatest {
  name: string;
  lastPassingDrillAt?: string;
  lastBackupAt?: string;
}

/** Something overdue: no passing drill within the cadence, or no backup within max-rpo. */
export interface Overdue {
  name: string;
  what: 'drill' | 'backup';
  /** The latest one, absent when there is none. */
  last?: string;
  limitMs: number;
}

/** What is overdue at `now` for each name under the targets. */
export function overdue(names: readonly NameLatest[], targets: Targets, now: Date): Overdue[] {
  const found: Overdue[] = [];
  for (const entry of names) {
    for (const [what, limit, last] of [
      ['drill', targets.drillEveryMs, entry.lastPassingDrillAt],
      ['backup', targets.maxRpoMs, entry.lastBackupAt],
    ] as const) {
      if (limit === undefined) continue;
      if (last === undefined || now.getTime() - Date.parse(last) > limit) {
        found.push({ name: entry.name, what, ...(last ? { last } : {}), limitMs: limit });
      }
    }
  }
  return found;
}
