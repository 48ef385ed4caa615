import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { OptionError } from '../report/errors.js';

/** The entries of a `checks` option, and how to name where they came from in messages. */
export interface CheckEntries {
  readonly entries: readonly unknown[];
  /** `checks file drill.yml` or `the checks option`. */
  readonly where: string;
}

const FORM =
  'Write a YAML list of checks (or `checks:` holding one): `{name, sql, expect}` for a PostgreSQL backup, `{name, command, expect}` for a Redis or command backup.';

/**
 * Reads the `checks` option: a path to a YAML (or JSON) file, or inline YAML, holding a list
 * of entries or `checks:` with one. What an entry must hold is the backup's engine's to say.
 */
export function readCheckEntries(option: string | undefined, cwd: string = process.cwd()): CheckEntries {
  if (!option || option.trim() === '') return { entries: [], where: 'the checks option' };
  const trimmed = option.trim();
  const isPath = !trimmed.includes('\n') && /\.(ya?ml|json)$/i.test(trimmed);
  let text = trimmed;
  let where = 'the checks option';
  if (isPath) {
    const path = trimmed.startsWith('/') ? trimmed : `${cwd}/${trimmed}`;
    if (!existsSync(path)) throw new OptionError(`Checks file ${trimmed} does not exist.`, 'Fix the checks path (relative to the working directory) or give the checks inline as YAML.');
    text = readFileSync(path, 'utf8');
    where = `checks file ${trimmed}`;
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new OptionError(`${where} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, FORM);
  }
  const list = Array.isArray(document) ? document : (document as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(list)) throw new OptionError(`${where}: document: expected a list of checks.`, FORM);
  return { entries: list, where };
}
