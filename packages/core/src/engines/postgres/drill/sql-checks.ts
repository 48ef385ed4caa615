import { z } from 'zod';
import type { CheckResult } from '../../../catalog/drill-record.js';
import { readCheckEntries } from '../../../drill/checks-file.js';
import { OptionError } from '../../../report/errors.js';

/** What an operator-defined check expects of its query's result. */
export type Expectation =
  | { readonly kind: 'no-rows' }
  | { readonly kind: 'some-rows' }
  | { readonly kind: 'compare'; readonly op: '=' | '!=' | '>=' | '>' | '<=' | '<'; readonly value: string };

/** One operator-defined SQL check. */
export interface SqlCheck {
  readonly name: string;
  readonly sql: string;
  readonly expect: Expectation;
  /** The expectation as the operator wrote it, for evidence. */
  readonly expectText: string;
}

const checkSchema = z.object({
  name: z.string().min(1).optional(),
  sql: z.string().min(1),
  expect: z.union([z.string(), z.number(), z.boolean()]),
});

/** Parses `no rows`, `some rows`, `>= 1`, `= 42`, `!= 'x'`, or a bare value (equality). */
export function parseExpectation(text: string): Expectation | undefined {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'no rows' || lower === 'empty' || lower === 'none') return { kind: 'no-rows' };
  if (lower === 'some rows' || lower === 'rows' || lower === 'not empty') return { kind: 'some-rows' };
  const match = /^(>=|<=|!=|=|>|<)\s*(.*)$/s.exec(trimmed);
  const [op, raw] = match ? [match[1] as '=' | '!=' | '>=' | '>' | '<=' | '<', match[2]!] : ['=' as const, trimmed];
  const value = unquote(raw.trim());
  if (value === '' ) return undefined;
  if (op !== '=' && op !== '!=' && !isNumeric(value)) return undefined;
  return { kind: 'compare', op, value };
}

/**
 * Reads checks from the `checks` option: a path to a YAML file, or inline YAML. Each entry
 * has `sql`, `expect` and an optional `name`. Problems name the entry and the accepted form.
 */
export function loadSqlChecks(option: string | undefined, cwd: string = process.cwd()): SqlCheck[] {
  const { entries, where } = readCheckEntries(option, cwd);
  return parseSqlChecks(entries, where);
}

/** Validates the entries of a checks file as SQL checks; `where` names the file in messages. */
export function parseSqlChecks(list: readonly unknown[], where: string): SqlCheck[] {
  const result = z.array(checkSchema).safeParse(list);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new OptionError(`${where}: ${issue?.path.join('.') || 'document'}: ${issue?.message}.`, CHECKS_FORM);
  }
  const entries = result.data;
  return entries.map((entry, index) => {
    const expectText = String(entry.expect);
    const expect = parseExpectation(expectText);
    const name = entry.name ?? `check ${index + 1}`;
    if (!expect) {
      throw new OptionError(`${where}: "${name}" has expect '${expectText}', which is not an expectation.`, CHECKS_FORM);
    }
    return { name, sql: entry.sql, expect, expectText };
  });
}

const CHECKS_FORM =
  'Write a YAML list of checks, each with `sql` and `expect` (`no rows`, `some rows`, `>= 1`, `= 42`, ...) and an optional `name`.';

/** Judges one check from the rows its query returned (values of the first column). */
export function judgeSqlCheck(check: SqlCheck, rows: readonly unknown[][]): CheckResult {
  const base = { name: check.name, kind: 'sql', expected: check.expectText };
  switch (check.expect.kind) {
    case 'no-rows':
      return { ...base, ok: rows.length === 0, actual: `${rows.length} row${rows.length === 1 ? '' : 's'}` };
    case 'some-rows':
      return { ...base, ok: rows.length > 0, actual: `${rows.length} row${rows.length === 1 ? '' : 's'}` };
    case 'compare': {
      if (rows.length === 0) return { ...base, ok: false, actual: 'no rows' };
      const actual = rows[0]![0];
      const text = actual === null || actual === undefined ? 'null' : actual instanceof Date ? actual.toISOString() : String(actual);
      return { ...base, ok: compare(text, check.expect.op, check.expect.value), actual: text };
    }
  }
}

function compare(actual: string, op: string, expected: string): boolean {
  if (isNumeric(actual) && isNumeric(expected)) {
    const a = Number(actual);
    const b = Number(expected);
    switch (op) {
      case '=':
        return a === b;
      case '!=':
        return a !== b;
      case '>=':
        return a >= b;
      case '>':
        return a > b;
      case '<=':
        return a <= b;
      case '<':
        return a < b;
    }
  }
  if (op === '=') return actual === expected;
  if (op === '!=') return actual !== expected;
  return false;
}

function isNumeric(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text.trim());
}

function unquote(text: string): string {
  const match = /^(['"])(.*)\1$/s.exec(text);
  return match ? match[2]! : text;
}
