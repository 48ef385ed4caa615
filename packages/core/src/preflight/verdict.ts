/** How one preflight check came out. `skip`: it could not run because a check it needs failed. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One row of the preflight table. */
export interface PreflightCheck {
  /** What was checked, e.g. `store`, `pg_dump`, `privileges app`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, or the problem and its fix; never a secret, a key or data. */
  readonly detail: string;
}

/** The outcome of a preflight. */
export interface PreflightVerdict {
  readonly ok: boolean;
  /** Names of the checks that failed, or of required checks that never ran. */
  readonly failed: readonly string[];
  readonly warned: readonly string[];
}

/** Checks every preflight must have run (a missing one fails: nothing is assumed fine); engines add their own rows. */
export const REQUIRED_CHECKS = ['settings', 'encryption', 'store', 'source'] as const;

/** Checks the stack table of `preflight --stack` must have run: the file, its references and what the members share. */
export const STACK_REQUIRED_CHECKS = ['stack file', 'references', 'settings', 'encryption', 'store'] as const;

/** Checks each member's table of `preflight --stack` must have run: its engine and source. */
export const MEMBER_REQUIRED_CHECKS = ['engine', 'source'] as const;

/** A required check is present when a row has its name, or starts with it (`privileges app`). */
function ran(checks: readonly PreflightCheck[], name: string): boolean {
  return checks.some((c) => c.name === name || c.name.startsWith(`${name} `));
}

/**
 * PASS only when every check passed or warned and every required check ran: a failure, a
 * skipped check (it could not run) or a required check absent all fail the preflight.
 */
export function judgePreflight(checks: readonly PreflightCheck[], required: readonly string[] = REQUIRED_CHECKS): PreflightVerdict {
  const failed = checks.filter((c) => c.status === 'fail' || c.status === 'skip').map((c) => c.name);
  const missing = required.filter((name) => !ran(checks, name));
  return {
    ok: failed.length === 0 && missing.length === 0,
    failed: [...failed, ...missing],
    warned: checks.filter((c) => c.status === 'warn').map((c) => c.name),
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The PASS/FAIL table as Markdown, with the verdict line under it. */
export function renderPreflightTable(checks: readonly PreflightCheck[], verdict: PreflightVerdict, title = 'Lifeboat preflight'): string {
  const rows = checks.map((c) => `| ${cell(c.name)} | ${c.status.toUpperCase()} | ${cell(c.detail)} |`);
  const result = verdict.ok
    ? `**PASS**${verdict.warned.length ? ` (with warnings: ${verdict.warned.join(', ')})` : ''}: a backup with these settings can run.`
    : `**FAIL**: ${verdict.failed.join(', ')}. Fix ${verdict.failed.length === 1 ? 'it' : 'them'} before the next backup.`;
  return [`## ${title}`, '', '| Check | Result | Detail |', '|---|---|---|', ...rows, '', result, ''].join('\n');
}
