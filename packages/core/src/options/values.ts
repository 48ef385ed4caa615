/** Parsers for the textual forms operators write: durations, byte sizes, booleans, lists. */

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `26h`, `90d`, `1h30m`, `45s`, `2w` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
  }
  return Math.round(total);
}

/** A point in time as an operator gives it: a fixed time, or a duration back from the run's clock. */
export type Instant = { readonly at: Date } | { readonly agoMs: number };

/** Parses `2026-01-01`, `2026-01-01T00:00:00Z` or a duration like `365d` (that long before now); undefined when malformed. */
export function parseInstant(text: string): Instant | undefined {
  const trimmed = text.trim();
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return { agoMs: ago };
  const date = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(date)) return undefined;
  const at = new Date(date);
  // `2026-02-30` parses to March 2nd: refuse dates that do not round-trip.
  if (Number.isNaN(at.getTime()) || (/z$/i.test(date) && at.toISOString().slice(0, 10) !== date.slice(0, 10))) return undefined;
  return { at };
}

/** The time an instant names, given the run's clock. */
export function instantAt(instant: Instant, now: Date): Date {
  return 'at' in instant ? instant.at : new Date(now.getTime() - instant.agoMs);
}

/** Milliseconds as the seconds a duration output reports: fractional, to the millisecond (439 ms → 0.439). */
export function outputSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Formats milliseconds the way operators write durations: `1d 2h`, `3m 5s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  if (rest < 60_000) return `${sign}${(rest / 1000).toFixed(rest < 10_000 ? 2 : 1)}s`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return sign + parts.join(' ');
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** Parses `64MiB`, `5GB`, `1048576` into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = SIZE_UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

/** Formats bytes with binary units: `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Parses the boolean spellings YAML and shells use; undefined when it is none of them. */
export function parseBoolean(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  return undefined;
}

/** Splits a newline- or comma-separated list, dropping blanks and `#` comments. */
export function parseList(text: string): string[] {
  return text
    .split(/\r?\n|,/)
    .map((item) => item.replace(/\s+#.*$/, '').trim())
    .filter((item) => item.length > 0 && !item.startsWith('#'));
}
