import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { isValidBackupName } from '../catalog/layout.js';
import { engineBackupOptions, engineDrillOptions, engineRestoreOptions } from '../engines/options.js';
import type { OptionDef } from '../options/define.js';
import { parseDuration } from '../options/values.js';
import { OptionError } from '../report/errors.js';
import { afterRestoreSchema, parseAfterRestore, type AfterRestore } from './after-restore.js';
import { onlyReferences, referencedVariables } from './env-refs.js';

/** What the stack file needs to know of an engine: its id and, for checks, how it reads them. */
export interface StackEngine {
  readonly id: string;
  readonly title: string;
  readonly drill: { readonly checks?: { readonly form: string; parse(entries: readonly unknown[], where: string): unknown[] } };
  readonly stack?: { readonly keyQuery?: { readonly field: string }; readonly missing?: unknown };
}

/** One member of a stack: an asset backed up and drilled by one engine. */
export interface StackAsset {
  readonly name: string;
  readonly engine: string;
  /** Option name → value as written (env references not yet expanded). */
  readonly settings: Readonly<Record<string, string>>;
  /** Settings for `restore --stack` only, over `settings` (the real targets: `target-database-url`, ...). */
  readonly restoreSettings: Readonly<Record<string, string>>;
  /** The member's own checks, in its engine's check language (validated, kept as written). */
  readonly checks: readonly unknown[];
  /** The store folder of its backups: `<stack>-<asset>`. */
  readonly backupName: string;
}

/** A cross-asset check: an engine check run on one member, or keys of one member looked up in another. */
export type CrossCheck =
  | { readonly type: 'on'; readonly name: string; readonly on: string; readonly entry: Readonly<Record<string, unknown>> }
  | { readonly type: 'keys'; readonly name: string; readonly from: string; readonly query: string; readonly existIn: string; readonly sample?: number };

/** A parsed, validated stack file. */
export interface StackFile {
  readonly name: string;
  readonly store?: string;
  readonly maxSkewMs?: number;
  readonly assets: readonly StackAsset[];
  /** Asset names, every one exactly once. */
  readonly restoreOrder: readonly string[];
  readonly checks: readonly CrossCheck[];
  /** The service started once every member is restored and checked, and its HTTP checks. */
  readonly afterRestore?: AfterRestore;
  /** The stack file's folder (absolute), for `{stack-dir}`; the working directory for a file not read from disk. */
  readonly dir: string;
  /** `stack file lifeboat.yml`, for messages. */
  readonly where: string;
}

/** Options the whole stack shares (store, keys, signing), so no asset may set its own. */
const MEMBER_OPTIONS: Readonly<Record<string, OptionDef>> = { ...engineBackupOptions, ...engineDrillOptions, ...engineRestoreOptions };

const FORM =
  'A stack file holds `stack` (its name), `assets` (a list of `{name, engine, settings, checks}`), and optionally `store`, `restore-order`, `max-skew`, `checks` and `after-restore`; see docs/stacks.md.';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const assetName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'an asset name is lower-case letters, digits, `-` and `_`, starting with a letter or digit, at most 41 characters');

const fileSchema = z.strictObject({
  stack: z.string().refine(isValidBackupName, 'the stack name is a backup name: letters, digits, `.`, `_` and `-`, starting with a letter or digit'),
  store: z.string().min(1).optional(),
  'max-skew': scalar.optional(),
  'restore-order': z.array(z.string()).optional(),
  assets: z
    .array(
      z.strictObject({
        name: assetName,
        engine: z.string(),
        settings: z.record(z.string(), scalar).default({}),
        'restore-settings': z.record(z.string(), scalar).default({}),
        checks: z.array(z.unknown()).default([]),
      }),
    )
    .min(1, 'a stack has at least one asset'),
  checks: z.array(z.looseObject({ name: z.string().min(1) })).default([]),
  'after-restore': afterRestoreSchema.optional(),
});

const keysCheckSchema = z.strictObject({
  name: z.string().min(1),
  'keys-from': z.record(z.string(), z.string()),
  'exist-in': z.string(),
  sample: z.number().int().positive().optional(),
});

/** Reads a stack file from disk (relative to `cwd`) and parses it; see `parseStackFile`. */
export function readStackFile(path: string, engines: readonly StackEngine[], cwd: string = process.cwd()): StackFile {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(full)) throw new OptionError(`Stack file ${path} does not exist.`, 'Fix `stack` (a path relative to the working directory).');
  return parseStackFile(readFileSync(full, 'utf8'), `stack file ${path}`, engines, dirname(full));
}

/**
 * Parses and validates a stack file. Every problem names the file and the line, and what to
 * write instead; secrets appear only as `${NAME}` references. Pure: nothing is expanded.
 */
export function parseStackFile(text: string, where: string, engines: readonly StackEngine[], dir: string = process.cwd()): StackFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (path: readonly (string | number)[]) => `${where}, line ${lineOf(document, lines, path)}`;
  const fail = (path: readonly (string | number)[], message: string, fix = FORM): never => {
    throw new OptionError(`${at(path)}: ${message}`, fix);
  };
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line ?? 1;
    throw new OptionError(`${where}, line ${line}: not valid YAML: ${error.message.split('\n')[0]}`, FORM);
  }
  const parsed = fileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const field = path.length > 0 ? `\`${path.join('.')}\`` : 'the document';
    fail(path, `${field}: ${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `\`${k}\``).join(', ')}` : issue.message}.`);
  }
  const data = parsed.data!;

  const byId = new Map(engines.map((e) => [e.id, e]));
  const assets: StackAsset[] = [];
  data.assets.forEach((asset, index) => {
    const path = ['assets', index];
    if (assets.some((a) => a.name === asset.name)) fail([...path, 'name'], `asset \`${asset.name}\` is named twice.`, 'Give every asset its own name.');
    const engine = byId.get(asset.engine);
    if (!engine) fail([...path, 'engine'], `asset \`${asset.name}\` has engine \`${asset.engine}\`, which this Lifeboat does not have.`, `Use one of ${engines.map((e) => `\`${e.id}\``).join(', ')}.`);
    const backupName = `${data.stack}-${asset.name}`;
    if (!isValidBackupName(backupName)) fail([...path, 'name'], `\`${backupName}\` (stack name, \`-\`, asset name) is too long for a backup name.`, 'Shorten the stack or asset name (128 characters in all).');
    for (const [option, value] of Object.entries(asset.settings)) {
      checkSetting(option, value, [...path, 'settings', option], asset.name, fail);
    }
    for (const [option, value] of Object.entries(asset['restore-settings'])) {
      checkSetting(option, value, [...path, 'restore-settings', option], asset.name, fail);
    }
    if (asset.checks.length > 0) {
      if (!engine!.drill.checks) fail([...path, 'checks'], `asset \`${asset.name}\` (${engine!.title}) takes no checks.`, 'Remove its `checks`.');
      parseOrFail(() => engine!.drill.checks!.parse(asset.checks, `checks of asset ${asset.name}`), [...path, 'checks'], fail);
    }
    assets.push({ name: asset.name, engine: asset.engine, settings: asset.settings, restoreSettings: asset['restore-settings'], checks: asset.checks, backupName });
  });

  const names = assets.map((a) => a.name);
  const restoreOrder = data['restore-order'] ?? names;
  restoreOrder.forEach((name, index) => {
    if (!names.includes(name)) fail(['restore-order', index], `\`${name}\` is not an asset of this stack.`, `List the assets (${names.join(', ')}) in the order they are restored.`);
    if (restoreOrder.indexOf(name) !== index) fail(['restore-order', index], `\`${name}\` is listed twice.`, 'List every asset once.');
  });
  const missing = names.filter((n) => !restoreOrder.includes(n));
  if (missing.length > 0) fail(['restore-order'], `${missing.map((m) => `\`${m}\``).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`, 'List every asset once, in the order they are restored.');

  let maxSkewMs: number | undefined;
  if (data['max-skew'] !== undefined) {
    maxSkewMs = parseDuration(data['max-skew']);
    if (maxSkewMs === undefined) fail(['max-skew'], `\`max-skew\` (got '${data['max-skew']}') is not a duration.`, 'Write it like `30s`, `5m` or `1h`.');
  }
  if (data.store !== undefined) {
    try {
      referencedVariables(data.store);
    } catch (error) {
      fail(['store'], `\`store\`: ${(error as Error).message}.`);
    }
  }

  const asset = (name: string, path: readonly (string | number)[]) => {
    const found = assets.find((a) => a.name === name);
    if (!found) fail(path, `\`${name}\` is not an asset of this stack.`, `Name one of ${names.map((n) => `\`${n}\``).join(', ')}.`);
    return { asset: found!, engine: byId.get(found!.engine)! };
  };
  const checks: CrossCheck[] = data.checks.map((entry, index) => {
    const path = ['checks', index];
    if ('keys-from' in entry || 'exist-in' in entry) {
      const keys = keysCheckSchema.safeParse(entry);
      if (!keys.success) {
        const issue = keys.error.issues[0]!;
        const field = issue.path.map(String).join('.');
        fail([...path, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))], `check "${entry.name}": ${field ? `\`${field}\`: ` : ''}${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}.`, KEYS_FORM);
      }
      const { 'keys-from': from, 'exist-in': existIn, sample } = keys.data!;
      const source = asset(from.asset ?? '', [...path, 'keys-from']);
      const field = source.engine.stack?.keyQuery?.field;
      if (!field) fail([...path, 'keys-from'], `check "${entry.name}": keys cannot be read from asset \`${source.asset.name}\` (${source.engine.title}).`, KEYS_FORM);
      const extra = Object.keys(from).filter((k) => k !== 'asset' && k !== field);
      if (!from[field!] || extra.length > 0) fail([...path, 'keys-from'], `check "${entry.name}": \`keys-from\` takes \`asset\` and \`${field}\` for a ${source.engine.title} asset.`, KEYS_FORM);
      const target = asset(existIn, [...path, 'exist-in']);
      if (!target.engine.stack?.missing) fail([...path, 'exist-in'], `check "${entry.name}": ${target.engine.title} asset \`${existIn}\` cannot be asked whether keys exist.`, KEYS_FORM);
      return { type: 'keys', name: entry.name, from: source.asset.name, query: from[field!]!, existIn, ...(sample ? { sample } : {}) };
    }
    const on = (entry as { on?: unknown }).on;
    if (typeof on !== 'string') fail(path, `check "${entry.name}" names no asset: give \`on: <asset>\` (or \`keys-from\` and \`exist-in\`).`, KEYS_FORM);
    const member = asset(on as string, [...path, 'on']);
    if (!member.engine.drill.checks) fail([...path, 'on'], `check "${entry.name}": ${member.engine.title} asset \`${on}\` takes no checks.`, KEYS_FORM);
    const { on: _on, ...rest } = entry as Record<string, unknown>;
    parseOrFail(() => member.engine.drill.checks!.parse([rest], `check "${entry.name}"`), path, fail);
    return { type: 'on', name: entry.name, on: on as string, entry: rest };
  });

  const afterRestore = data['after-restore'] ? parseAfterRestore(data['after-restore'], names, fail) : undefined;
  return { name: data.stack, store: data.store, maxSkewMs, assets, restoreOrder, checks, ...(afterRestore ? { afterRestore } : {}), dir, where };
}

const KEYS_FORM =
  'A cross-asset check is `{name, on: <asset>, sql|command, expect}`, or `{name, keys-from: {asset: <asset>, sql: ...}, exist-in: <asset>}` with an optional `sample: <count>`.';

function checkSetting(
  option: string,
  value: string,
  path: readonly (string | number)[],
  asset: string,
  fail: (path: readonly (string | number)[], message: string, fix?: string) => never,
): void {
  const def = MEMBER_OPTIONS[option];
  if (!def) fail(path, `asset \`${asset}\`: \`${option}\` is not an engine setting.`, 'Settings are the engine\'s own options (`database-url`, `redis-url`, `target-database-url`, ...); store, keys and signing are set once for the whole stack.');
  let references: string[] = [];
  try {
    references = referencedVariables(value);
  } catch (error) {
    fail(path, `asset \`${asset}\`: \`${option}\`: ${(error as Error).message}.`);
  }
  if (def!.secret && !onlyReferences(value)) {
    fail(path, `asset \`${asset}\`: \`${option}\` is a secret, so the stack file holds only a reference to it.`, `Write \`${option}: \${${asset.toUpperCase().replace(/-/g, '_')}_${option.toUpperCase().replace(/-/g, '_')}}\` and set that environment variable (a secret in Actions).`);
  }
  // A password written into a URL is a secret too, whatever the option.
  if (/:\/\/[^/@:\s]*:[^/@\s]+@/.test(value.replace(/\$\{[^}]*\}/g, ''))) {
    fail(path, `asset \`${asset}\`: \`${option}\` holds a password in its URL.`, 'Put the whole URL in an environment variable and write `${NAME}`.');
  }
  if (references.length === 0 && def!.parse(value) === undefined) fail(path, `asset \`${asset}\`: \`${option}\` (got '${value}'): expected ${def!.form}.`);
}

function parseOrFail(parse: () => unknown, path: readonly (string | number)[], fail: (path: readonly (string | number)[], message: string, fix?: string) => never): void {
  try {
    parse();
  } catch (error) {
    const fix = (error as { fix?: string }).fix;
    fail(path, (error as Error).message, fix);
  }
}

/** The 1-based line of the node at `path`, or of its nearest parent that exists. */
function lineOf(document: Document, lines: LineCounter, path: readonly (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
