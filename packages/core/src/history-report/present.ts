/** Shared wording of the report renderers: how figures, verdicts and targets read. Pure. */
import { formatBytes, formatDuration } from '../options/values.js';
import type { ControlName, Overdue, Targets } from './controls.js';
import type { ReportModel } from './model.js';

/** `45s`, `1h 2m`, or `–` when absent. */
export function duration(ms: number | undefined): string {
  return ms === undefined ? '–' : formatDuration(ms);
}

/** `1.50 MiB`. */
export function bytes(size: number): string {
  return formatBytes(size);
}

/** The target a control checks, for table headings. */
export function targetOf(control: ControlName, targets: Targets): string {
  const ms = control === 'max-rpo' ? targets.maxRpoMs : control === 'max-rto' ? targets.maxRtoMs : targets.drillEveryMs;
  return ms === undefined ? '–' : formatDuration(ms);
}

/** The declared targets as one line, e.g. `max-rpo 26h, max-rto 1h, drill-every 31d`. */
export function targetsLine(targets: Targets): string {
  const parts = [
    targets.maxRpoMs !== undefined && `max-rpo ${formatDuration(targets.maxRpoMs)}`,
    targets.maxRtoMs !== undefined && `max-rto ${formatDuration(targets.maxRtoMs)}`,
    targets.drillEveryMs !== undefined && `drill-every ${formatDuration(targets.drillEveryMs)}`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? parts.join(', ') : 'none declared (set `max-rpo`, `max-rto`, `drill-every`)';
}

/** `1 drill`, `3 drills`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The totals line, in the report's own words (no store values). */
export function totalsLine(model: ReportModel, passed: (text: string) => string = (t) => t, failed: (text: string) => string = (t) => t): string {
  const t = model.totals;
  return `${count(t.backups, 'backup')} · ${count(t.drills, 'drill')} (${passed(`${t.pass} passed`)}, ${failed(`${t.fail} failed`)}, ${t.inconclusive} inconclusive) · ${count(t.rejected, 'drill record')} rejected · ${count(t.controlsMissed, 'control line')} missed · ${t.overdue} overdue`;
}

/** Why a report has no control lines. */
export function noControls(model: ReportModel): string {
  const { maxRpoMs, maxRtoMs, drillEveryMs } = model.targets;
  if (maxRpoMs === undefined && maxRtoMs === undefined && drillEveryMs === undefined) return 'No targets are declared, so no control is checked.';
  return 'There are no backup names to check the targets for.';
}

/** One sentence per overdue item. */
export function overdueSentence(item: Overdue, now: Date): string {
  const what = item.what === 'drill' ? 'passing drill' : 'backup';
  if (!item.last) return `${item.name}: no ${what} at all (target ${formatDuration(item.limitMs)}).`;
  return `${item.name}: the newest ${what} is ${formatDuration(now.getTime() - Date.parse(item.last))} old (${item.last}; target ${formatDuration(item.limitMs)}).`;
}

/** The title of a report over these names. */
export function reportTitle(model: ReportModel): string {
  return `Lifeboat report: ${model.names.length > 0 ? model.names.join(', ') : 'no backups'}`;
}

/** The period line: since, until, generated. */
export function periodLine(model: ReportModel): string {
  return `${model.since.slice(0, 10)} to ${model.generatedAt.slice(0, 10)} (generated ${model.generatedAt})`;
}

/** What the signature state means for the figures. */
export function signaturesLine(model: ReportModel): string {
  return model.signatures === 'checked'
    ? `Drill records checked against \`signing-public-key\`: ${model.totals.rejected} left out (unsigned or not verifying).`
    : 'Drill records NOT checked: no `signing-public-key` was given, so anyone who can write to the store could have written one.';
}

/** Month keys (`2026-03`) of a list of ISO times, with the items of each, in order. */
export function byMonth<T>(items: readonly T[], at: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = at(item).slice(0, 7);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.entries()];
}

/** A check's result in a few words: `expected >= 1, got 0`, or its message. */
export function checkText(check: { name: string; expected?: unknown; actual?: unknown; message?: string }): string {
  if (check.message) return `${check.name}: ${check.message}`;
  const expected = check.expected === undefined ? '' : `expected ${JSON.stringify(check.expected)}`;
  const actual = check.actual === undefined ? '' : `got ${JSON.stringify(check.actual)}`;
  return `${check.name}${expected || actual ? `: ${[expected, actual].filter(Boolean).join(', ')}` : ''}`;
}
