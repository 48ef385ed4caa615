import { z } from 'zod';
import type { CheckResult } from '../../catalog/drill-record.js';
import { OptionError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';
import { judgeSqlCheck, parseExpectation, type Expectation } from '../postgres/drill/sql-checks.js';
import { describeCommand, parseCommandLine, type CommandLine } from './command-line.js';
import { jsonField, parseCounts } from './counts.js';
import { commandFailure, runCommand } from './run-command.js';

/** One operator check of a command backup: a command run against the restored target and what it must print. */
export interface CommandCheck {
  readonly name: string;
  readonly command: CommandLine;
  /** A field of the command's JSON output to judge instead of its whole output. */
  readonly field?: string;
  /** `recorded`: the field must equal the same field of the counts recorded at backup. */
  readonly expect: Expectation | { readonly kind: 'recorded' };
  readonly expectText: string;
}

const entrySchema = z.object({
  name: z.string().min(1).optional(),
  command: z.union([z.string().min(1), z.array(z.union([z.string(), z.number()])).min(1)]),
  field: z.string().min(1).optional(),
  expect: z.union([z.string(), z.number(), z.boolean()]),
});

/** The form of an entry, for messages. */
export const COMMAND_CHECK_FORM =
  'Write each check of a command backup as `{name, command, expect}` (optionally `field`, a dotted path into the command\'s JSON output), e.g. `command: mariadb -N -e "select count(*) from users"` with `expect: ">= 1"`; expect takes `= 42`, `>= 1`, `no rows`, `some rows`, a value, or `recorded` (the field equals the count recorded at backup).';

/** Reads the entries of a drill's checks as command checks; problems name the entry. */
export function parseCommandChecks(entries: readonly unknown[], where: string): CommandCheck[] {
  return entries.map((entry, index) => {
    const parsed = entrySchema.safeParse(entry);
    const label = (entry as { name?: unknown })?.name ? `"${String((entry as { name: unknown }).name)}"` : `check ${index + 1}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OptionError(`${where}: command check ${label}: ${issue?.path.join('.') || 'entry'}: ${issue?.message}.`, COMMAND_CHECK_FORM);
    }
    const { data } = parsed;
    const expectText = String(data.expect);
    const command = parseCommandLine(typeof data.command === 'string' ? data.command : JSON.stringify(data.command.map(String)), `${where}: ${label}: command`);
    if (expectText.trim().toLowerCase() === 'recorded') {
      if (!data.field) throw new OptionError(`${where}: command check ${label} expects \`recorded\` but names no \`field\`.`, COMMAND_CHECK_FORM);
      return { name: data.name ?? `check ${index + 1}`, command, field: data.field, expect: { kind: 'recorded' }, expectText };
    }
    const expect = parseExpectation(expectText);
    if (!expect) throw new OptionError(`${where}: command check ${label} has expect '${expectText}', which is not an expectation.`, COMMAND_CHECK_FORM);
    return { name: data.name ?? `check ${index + 1}`, command, field: data.field, expect, expectText };
  });
}

/** The rows an expectation judges: the field's value, or each non-empty line of the output (its first tab-separated column). */
export function outputRows(stdout: string, field: string | undefined): unknown[][] {
  if (field !== undefined) {
    const value = jsonField(parseCounts(stdout), field);
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((v) => [typeof v === 'object' ? JSON.stringify(v) : v]);
    return [[typeof value === 'object' ? JSON.stringify(value) : value]];
  }
  return stdout
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '')
    .map((line) => [line.split('\t')[0]!.trim()]);
}

/**
 * Runs the operator's checks against the restored target, one after another; a command that
 * fails fails its check (with its exit status) and the others still run. Each result
 * records the command (redacted), its exit status and duration.
 */
export async function runCommandChecks(checks: readonly CommandCheck[], env: Record<string, string>, recorded: unknown, signal?: AbortSignal): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const ran = await runCommand(check.command, { env, signal });
    const { exit, record } = ran;
    // What a check prints goes into the evidence: secrets the commands were given stay hidden.
    const stdout = redact(ran.stdout);
    const base = { name: check.name, kind: 'command', expected: check.expectText, command: record.command, exitCode: record.exitCode, signal: record.signal, durationMs: record.durationMs };
    const why = commandFailure(exit, stdout.length, false);
    if (why) {
      results.push({ ...base, ok: false, actual: 'error', message: `\`${describeCommand(check.command)}\` ${why}.${exit.stderrTail ? ` ${exit.stderrTail.split('\n').slice(-3).join(' / ')}` : ''}` });
      continue;
    }
    if (check.expect.kind === 'recorded') {
      const expected = jsonField(recorded, check.field!);
      const actual = jsonField(parseCounts(stdout), check.field!);
      const ok = expected !== undefined && JSON.stringify(actual) === JSON.stringify(expected);
      results.push({ ...base, ok, expected: expected ?? 'not recorded', actual: actual === undefined ? 'missing' : typeof actual === 'string' ? redact(actual) : actual });
      continue;
    }
    const judged = judgeSqlCheck({ name: check.name, sql: record.command, expect: check.expect, expectText: check.expectText }, outputRows(stdout, check.field));
    results.push({ ...judged, ...base, ok: judged.ok, actual: judged.actual, expected: check.expectText });
  }
  return results;
}
