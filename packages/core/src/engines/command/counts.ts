import type { CheckResult } from '../../catalog/drill-record.js';

/** Reads a count command's output: one JSON value (usually an object of counts); undefined when it is not JSON. */
export function parseCounts(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Tools that print banners first: the last line is the JSON.
    const last = text.split('\n').pop()!.trim();
    try {
      return JSON.parse(last) as unknown;
    } catch {
      return undefined;
    }
  }
}

/** The numeric leaves of a counts value, by dotted path (`app.users` → 42); a bare number is `count`. */
export function countLeaves(value: unknown, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof value === 'number') out.set(prefix || 'count', value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      for (const [path, n] of countLeaves(inner, prefix ? `${prefix}.${key}` : key)) out.set(path, n);
    }
  }
  return out;
}

/** One field of a JSON value by dotted path; an exact key (with dots) wins over nesting. */
export function jsonField(value: unknown, path: string): unknown {
  if (value && typeof value === 'object' && path in (value as object)) return (value as Record<string, unknown>)[path];
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Every count the backup recorded against the restored target's: each must be equal, and
 * the target must hold nothing the backup did not record. With `before` (counted just before
 * the dump started) a count that changed while the dump ran may be anything between the two:
 * the dump's snapshot was taken somewhere in between.
 */
export function countChecks(recorded: unknown, restored: unknown, before?: unknown): CheckResult[] {
  const after = countLeaves(recorded);
  const start = before === undefined ? after : countLeaves(before);
  const now = countLeaves(restored);
  const paths = [...new Set([...after.keys(), ...start.keys()])];
  const checks: CheckResult[] = [];
  for (const path of paths) {
    const a = start.get(path);
    const b = after.get(path);
    const actual = now.get(path);
    if (a === b || a === undefined || b === undefined) {
      const only = (a ?? b)!;
      // Present at only one end: created or dropped while the dump ran, so it may be absent, or hold up to that many.
      if (a === undefined || b === undefined) {
        checks.push({ name: `count of ${path}`, kind: 'command-count', ok: actual === undefined || (actual >= 0 && actual <= only), expected: `0 to ${only}`, actual: actual ?? 'missing', message: 'It appeared or disappeared while the dump ran.' });
      } else checks.push({ name: `count of ${path}`, kind: 'command-count', ok: actual === only, expected: only, actual: actual ?? 'missing' });
      continue;
    }
    const [lo, hi] = a < b ? [a, b] : [b, a];
    checks.push({
      name: `count of ${path}`,
      kind: 'command-count',
      ok: actual !== undefined && actual >= lo && actual <= hi,
      expected: `${lo} to ${hi}`,
      actual: actual ?? 'missing',
      message: `It changed from ${a} to ${b} while the dump ran.`,
    });
  }
  for (const [path, actual] of now) {
    if (!after.has(path) && !start.has(path)) checks.push({ name: `count of ${path}`, kind: 'command-count', ok: false, expected: 'not recorded', actual, message: 'The restored target holds something the backup did not record.' });
  }
  return checks;
}
