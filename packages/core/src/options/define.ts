import { z } from 'zod';
import { isValidBackupName } from '../catalog/layout.js';
import { OptionError } from '../report/errors.js';
import { parseBoolean, parseDuration, parseInstant, parseList, parseSize, type Instant } from './values.js';

/** Where an option can be set. Every option is also readable from its `LIFEBOAT_*` env var. */
export type Surface = 'action' | 'cli';

/** The shape of one option; the type parameter is its parsed value. */
export interface OptionDef<T = unknown> {
  readonly kind: 'string' | 'text' | 'boolean' | 'integer' | 'duration' | 'size' | 'enum' | 'list';
  readonly description: string;
  /** Default as text, exactly as `action.yml` declares it. */
  readonly default?: string;
  readonly required?: boolean;
  /** Masked in logs and never echoed back. */
  readonly secret?: boolean;
  /** The value may instead be the path of a file holding it (a key): a path is no secret. */
  readonly orPath?: boolean;
  readonly choices?: readonly string[];
  /** Omitted: both surfaces. */
  readonly surfaces?: readonly Surface[];
  /** How the accepted form is described in error messages and docs. */
  readonly form: string;
  /** Parses a non-empty raw value; returns undefined when it is malformed. */
  readonly parse: (raw: string) => T | undefined;
}

interface Common {
  description: string;
  secret?: boolean;
  orPath?: boolean;
  surfaces?: readonly Surface[];
}
type WithDefault = Common & { default: string; required?: false };
type Required = Common & { required: true; default?: undefined };
type Optional = Common & { default?: undefined; required?: false };

/** An option whose value may be absent after resolution. */
export interface MaybeOption<T> extends OptionDef<T> {
  readonly __maybe: true;
}

function make<T>(
  kind: OptionDef['kind'],
  form: string,
  parse: (raw: string) => T | undefined,
  config: Common & { default?: string; required?: boolean },
  extra: Partial<OptionDef<T>> = {},
): OptionDef<T> {
  return { kind, form, parse, ...config, ...extra };
}

function builder<T>(kind: OptionDef['kind'], form: string, parse: (raw: string) => T | undefined) {
  function build(config: WithDefault | Required): OptionDef<T>;
  function build(config: Optional): MaybeOption<T>;
  function build(config: Common & { default?: string; required?: boolean }): OptionDef<T> {
    return make(kind, form, parse, config);
  }
  return build;
}

interface Bounds {
  min?: number;
  max?: number;
}

function integer(config: (WithDefault | Required) & Bounds): OptionDef<number>;
function integer(config: Optional & Bounds): MaybeOption<number>;
function integer(config: Common & Bounds & { default?: string; required?: boolean }): OptionDef<number> {
  const { min, max } = config;
  const bounds =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  const schema = z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min ?? Number.MIN_SAFE_INTEGER).max(max ?? Number.MAX_SAFE_INTEGER));
  const parse = (raw: string) => {
    const result = schema.safeParse(raw.trim());
    return result.success ? result.data : undefined;
  };
  const { min: _min, max: _max, ...rest } = config;
  return make<number>('integer', `a whole number${bounds}`, parse, rest);
}

function choice<const C extends readonly string[]>(choices: C, config: WithDefault | Required): OptionDef<C[number]>;
function choice<const C extends readonly string[]>(choices: C, config: Optional): MaybeOption<C[number]>;
function choice<const C extends readonly string[]>(
  choices: C,
  config: Common & { default?: string; required?: boolean },
): OptionDef<C[number]> {
  const schema = z.enum(choices as unknown as [string, ...string[]]);
  const parse = (raw: string) => {
    const result = schema.safeParse(raw.trim().toLowerCase());
    return result.success ? (result.data as C[number]) : undefined;
  };
  const form = `one of ${choices.map((c) => `\`${c}\``).join(', ')}`;
  return make<C[number]>('enum', form, parse, config, { choices });
}

/** How a valid backup name is described in errors. */
export const BACKUP_NAME_FORM = 'a backup name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 characters, no `..`, not `drills`';

/** Builders for options; each returns a definition that parses and documents itself. */
export const opt = {
  /** A single-line string (trimmed). */
  string: builder<string>('string', 'text', (raw) => raw.trim()),
  /** Multi-line text kept as written (keys, YAML, SQL). */
  text: builder<string>('text', 'text (may span lines)', (raw) => raw),
  boolean: builder<boolean>('boolean', '`true` or `false`', parseBoolean),
  duration: builder<number>('duration', 'a duration like `45s`, `30m`, `26h`, `90d` or `1h30m`', parseDuration),
  size: builder<number>('size', 'a size like `64MiB`, `5GiB` or a number of bytes', parseSize),
  /** A time (ISO 8601 date or date-time) or a duration back from the run's clock. */
  instant: builder<Instant>('string', 'a time like `2026-01-01` or `2026-01-01T00:00:00Z`, or a duration back from now like `90d`', parseInstant),
  list: builder<string[]>('list', 'a list, one item per line or comma-separated', (raw) => parseList(raw)),
  /** A backup name: one safe path segment, since it names store folders and evidence files. */
  backupName: builder<string>('string', BACKUP_NAME_FORM, (raw) => {
    const name = raw.trim();
    return isValidBackupName(name) ? name : undefined;
  }),
  integer,
  enum: choice,
};

export type OptionDefs = Record<string, OptionDef<any>>;

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** The parsed options of a definition: camelCase keys, absent values where no default. */
export type ResolvedOptions<D extends OptionDefs> = {
  [K in keyof D & string as Camel<K>]: D[K] extends MaybeOption<infer T>
    ? T | undefined
    : D[K] extends OptionDef<infer T>
      ? T
      : never;
};

/** One operation's options and outputs; action.yml, CLI flags and docs derive from it. */
export interface OperationDef<D extends OptionDefs = OptionDefs> {
  /** CLI subcommand name. */
  readonly command: string;
  readonly summary: string;
  readonly options: D;
  /** Output name → description (action outputs, `--json` fields). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Present when the operation is also a GitHub Action. */
  readonly action?: {
    readonly folder: string;
    readonly name: string;
    readonly description: string;
    readonly icon: string;
    readonly color: string;
  };
}

/** Declares an operation; the identity function keeps the literal types. */
export function defineOperation<D extends OptionDefs>(def: OperationDef<D>): OperationDef<D> {
  return def;
}

/** The env var that sets an option: `database-url` → `LIFEBOAT_DATABASE_URL`. */
export function envName(option: string): string {
  return `LIFEBOAT_${option.toUpperCase().replace(/-/g, '_')}`;
}

/** `database-url` → `databaseUrl`. */
export function camelName(option: string): string {
  return option.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** True when the option is offered on the given surface. */
export function onSurface(def: OptionDef, surface: Surface): boolean {
  return !def.surfaces || def.surfaces.includes(surface);
}

/** Where raw values come from, and how to name an option to the operator in that place. */
export interface OptionSource {
  readonly surface: Surface;
  /** The raw value, or undefined/empty when not given. */
  get(option: string): string | undefined;
  /** How the operator sets it here, e.g. "input `store`" or "--store (or LIFEBOAT_STORE)". */
  label(option: string): string;
}

/**
 * Reads and validates every option of an operation from a source. Secrets are registered
 * through `onSecret` before anything else can print them.
 */
export function resolveOptions<D extends OptionDefs>(
  operation: OperationDef<D>,
  source: OptionSource,
  onSecret: (value: string) => void = () => {},
): ResolvedOptions<D> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(operation.options)) {
    if (!onSurface(def, source.surface)) {
      if (def.default !== undefined) result[camelName(name)] = def.parse(def.default);
      continue;
    }
    const given = source.get(name);
    const raw = given !== undefined && given.trim() !== '' ? given : def.default;
    if (raw === undefined || raw.trim() === '') {
      if (def.required) problems.push(`Missing required ${source.label(name)}: ${def.description}`);
      continue;
    }
    if (def.secret) onSecret(raw);
    const value = def.parse(raw);
    if (value === undefined) {
      const shown = def.secret ? '' : ` (got '${truncate(raw.trim())}')`;
      problems.push(`Invalid ${source.label(name)}${shown}: expected ${def.form}.`);
      continue;
    }
    result[camelName(name)] = value;
  }
  if (problems.length > 0) {
    throw new OptionError(problems.join(' '), problems.length > 1 ? 'Fix each of the options named.' : undefined);
  }
  return result as ResolvedOptions<D>;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
