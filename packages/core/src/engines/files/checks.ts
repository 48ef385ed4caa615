import { lstat, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { CheckResult } from '../../catalog/drill-record.js';
import { FilesCheckDefinitionError } from './errors.js';
import type { Extracted } from './extract.js';
import { describeDamage, extractionIntact } from './extract.js';
import type { FilesStats } from './manifest.js';
import { safeEntryName } from './paths.js';

/** What an operator check of a files backup asks of one file. */
export type FilesExpectation = { readonly kind: 'exists' } | { readonly kind: 'parses' } | { readonly kind: 'contains'; readonly key: readonly string[] };

/** One operator check: a file of the restored archive and what must hold for it. */
export interface FilesCheck {
  readonly name: string;
  /** Archive name, e.g. `etc/app.yaml`. */
  readonly path: string;
  readonly expect: FilesExpectation;
  readonly expectText: string;
}

export const FILES_CHECK_FORM =
  'Write each files check as `{name, path, expect}`, e.g. `path: etc/app.yaml` with `expect: contains database.host`; expect takes `exists`, `parses` (JSON or YAML) or `contains <key>` (a dotted key path in a JSON or YAML file).';

const entrySchema = z.object({
  name: z.string().min(1).optional(),
  path: z.string().min(1),
  expect: z.string().min(1),
});

// Files bigger than this are not parsed by the automatic checks (configuration is small).
const MAX_PARSE_BYTES = 32 * 1024 * 1024;

/** Whether a name is a JSON or YAML file by its extension: `json`, `yaml` or undefined. */
export function structuredKind(path: string): 'json' | 'yaml' | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

/** Reads the files entries of a drill's checks; problems name the entry and the form. Pure. */
export function parseChecks(entries: readonly unknown[]): FilesCheck[] {
  return entries.map((entry, index) => {
    const raw = entry as { name?: unknown } | null;
    const label = raw?.name ? `"${String(raw.name)}"` : `check ${index + 1}`;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FilesCheckDefinitionError(`Files check ${label}: ${issue?.path.join('.') || 'entry'}: ${issue?.message}.`, FILES_CHECK_FORM);
    }
    const { path } = parsed.data;
    const expectText = parsed.data.expect.trim();
    if (!safeEntryName(path)) throw new FilesCheckDefinitionError(`Files check ${label} has path ${JSON.stringify(path)}; it must name a file inside the backup, relative (as listed in \`paths\`), without \`..\`.`, FILES_CHECK_FORM);
    let expect: FilesExpectation;
    const contains = /^contains\s+(\S+)$/.exec(expectText);
    if (expectText === 'exists') expect = { kind: 'exists' };
    else if (expectText === 'parses') expect = { kind: 'parses' };
    else if (contains) expect = { kind: 'contains', key: contains[1]!.split('.') };
    else throw new FilesCheckDefinitionError(`Files check ${label} has expect '${expectText}', which is not an expectation.`, FILES_CHECK_FORM);
    if (expect.kind !== 'exists' && !structuredKind(path)) {
      throw new FilesCheckDefinitionError(`Files check ${label}: \`${expectText}\` needs a .json, .yaml or .yml file; ${path} is not one.`, FILES_CHECK_FORM);
    }
    if (expect.kind === 'contains' && expect.key.some((part) => part === '')) throw new FilesCheckDefinitionError(`Files check ${label} has an empty part in the key path ${contains![1]}.`, FILES_CHECK_FORM);
    return { name: parsed.data.name ?? `check ${index + 1}`, path: path.replace(/\/+$/, ''), expect, expectText };
  });
}

/** Whether the dotted key path is in a parsed document (array items by index). Pure. */
export function hasKey(document: unknown, key: readonly string[]): boolean {
  let at: unknown = document;
  for (const part of key) {
    if (Array.isArray(at)) {
      if (!/^\d+$/.test(part) || Number(part) >= at.length) return false;
      at = at[Number(part)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, part)) {
      at = (at as Record<string, unknown>)[part];
    } else return false;
  }
  return true;
}

/** The parsed documents of a JSON or YAML text, or why it does not parse (line numbers only, never its content). Pure. */
export function parseStructured(kind: 'json' | 'yaml', text: string): { ok: true; documents: unknown[] } | { ok: false; reason: string } {
  if (kind === 'json') {
    try {
      return { ok: true, documents: [JSON.parse(text)] };
    } catch {
      return { ok: false, reason: 'is not valid JSON' };
    }
  }
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    const error = document.errors[0];
    if (error) return { ok: false, reason: `is not valid YAML (line ${error.linePos?.[0]?.line ?? '?'})` };
  }
  return { ok: true, documents: list.map((d) => d.toJS()) };
}

/**
 * The automatic checks of a restored files backup: every file's SHA-256 matches SHA256SUMS,
 * every file the backup recorded is there (count and bytes), and every JSON and YAML file parses.
 */
export async function automaticChecks(dir: string, extracted: Extracted, stats: FilesStats | undefined): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  checks.push(
    stats
      ? {
          name: 'every file present',
          kind: 'files-present',
          ok: stats.files === extracted.files.size && stats.bytes === extracted.bytes && stats.directories === extracted.directories && stats.symlinks === extracted.symlinks,
          expected: `${stats.files} files, ${stats.bytes} bytes, ${stats.directories} folders, ${stats.symlinks} links`,
          actual: `${extracted.files.size} files, ${extracted.bytes} bytes, ${extracted.directories} folders, ${extracted.symlinks} links`,
        }
      : { name: 'every file present', kind: 'files-present', ok: false, expected: 'stats of a files backup', actual: 'none', message: 'The backup has no files stats to compare with.' },
  );
  const failures: string[] = [];
  let parsed = 0;
  let structured = 0;
  for (const [name, file] of extracted.files) {
    const kind = structuredKind(name);
    if (!kind || file.size > MAX_PARSE_BYTES) continue;
    structured++;
    const result = parseStructured(kind, await readFile(join(dir, name), 'utf8'));
    if (result.ok) parsed++;
    else failures.push(`${name} ${result.reason}`);
  }
  checks.push({
    name: 'JSON and YAML files parse',
    kind: 'files-parse',
    ok: failures.length === 0,
    expected: structured,
    actual: parsed,
    ...(failures.length > 0 && { message: failures.slice(0, 5).join('; ') + (failures.length > 5 ? `; and ${failures.length - 5} more` : '') }),
  });
  return checks;
}

/** Every file's SHA-256 against the archive's SHA256SUMS, with the files and bytes verified. */
export function sumsCheck(extracted: Extracted): CheckResult {
  const intact = extractionIntact(extracted);
  return {
    name: 'SHA-256 of every file',
    kind: 'files-sha256',
    ok: intact,
    expected: `${extracted.sums?.size ?? 0} files as listed in SHA256SUMS`,
    actual: `${extracted.files.size - extracted.mismatched.length - extracted.unlisted.length} files, ${extracted.bytes} bytes verified`,
    ...(!intact && { message: describeDamage(extracted) }),
  };
}

/** Runs the operator's checks on the restored folder; values are never put in the results. */
export async function runChecks(dir: string, checks: readonly FilesCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const base = { name: check.name, kind: 'files-check', expected: check.expectText };
    const path = join(dir, check.path);
    const info = await lstat(path).catch(() => undefined);
    if (!info) {
      results.push({ ...base, ok: false, actual: 'missing', message: `${check.path} is not in the backup.` });
      continue;
    }
    if (check.expect.kind === 'exists') {
      results.push({ ...base, ok: true, actual: 'exists' });
      continue;
    }
    if (!info.isFile()) {
      results.push({ ...base, ok: false, actual: info.isDirectory() ? 'a folder' : 'not a file', message: `${check.path} is not a file.` });
      continue;
    }
    const result = parseStructured(structuredKind(check.path)!, await readFile(path, 'utf8'));
    if (!result.ok) {
      results.push({ ...base, ok: false, actual: 'does not parse', message: `${check.path} ${result.reason}.` });
      continue;
    }
    if (check.expect.kind === 'parses') {
      results.push({ ...base, ok: true, actual: 'parses' });
      continue;
    }
    const key = check.expect.key;
    const found = result.documents.some((document) => hasKey(document, key));
    results.push({ ...base, ok: found, actual: found ? `has ${key.join('.')}` : `no ${key.join('.')}`, ...(!found && { message: `${check.path} has no key ${key.join('.')}.` }) });
  }
  return results;
}
