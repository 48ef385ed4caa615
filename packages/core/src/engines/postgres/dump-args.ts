import { DumpOptionError } from './errors.js';

/** pg_dump's long options that take a value (so the next argument is not a positional one). */
const LONG_WITH_VALUE = new Set([
  'file', 'format', 'jobs', 'schema', 'exclude-schema', 'table', 'exclude-table', 'compress', 'encoding',
  'extra-float-digits', 'lock-wait-timeout', 'rows-per-insert', 'section', 'snapshot', 'superuser',
  'exclude-table-data', 'include-foreign-data', 'host', 'port', 'username', 'role', 'dbname',
  'exclude-table-and-children', 'exclude-table-data-and-children', 'table-and-children', 'filter',
  'extension', 'exclude-extension', 'sync-method', 'restrict-key',
]);
/** Short options that take a value. */
const SHORT_WITH_VALUE = new Set(['d', 'e', 'E', 'f', 'F', 'h', 'j', 'n', 'N', 'p', 'S', 't', 'T', 'U', 'Z']);

/** Options Lifeboat sets itself, or that would end or corrupt the stream. */
const REFUSED: Record<string, string> = {
  file: 'the dump is streamed from stdout; an output file would leave the backup empty',
  format: 'set the `format` option instead',
  jobs: 'set `format: directory` and the `jobs` option instead',
  compress: 'set the `compression` option instead',
  snapshot: 'Lifeboat exports the snapshot itself so that row counts match the dump',
  dbname: 'set `database-url` (or `databases`) instead',
  host: 'set `database-url` instead',
  port: 'set `database-url` instead',
  username: 'set `database-url` instead',
  password: 'it makes pg_dump prompt; give the password in `database-url` or PGPASSWORD',
  version: 'it prints the version instead of dumping, which would store an empty backup',
  help: 'it prints help instead of dumping, which would store an empty backup',
  'schema-only': 'a dump without rows is not a backup',
  section: 'a dump of some sections only is not a backup',
  'no-data': 'a dump without rows is not a backup',
  'statistics-only': 'a dump without rows is not a backup',
  'schema': 'set the `schemas` option instead, so that row counts follow the same filter',
  'exclude-schema': 'set the `exclude-schemas` option instead, so that row counts follow the same filter',
  table: 'set the `tables` option instead, so that row counts follow the same filter',
  'exclude-table': 'set the `exclude-tables` option instead, so that row counts follow the same filter',
  'exclude-table-data': 'set the `exclude-table-data` option instead, so that row counts follow the same filter',
  'table-and-children': 'use `tables` patterns that name the partitions, so that row counts follow the same filter',
  'exclude-table-and-children': 'use `exclude-tables` patterns that name the partitions, so that row counts follow the same filter',
  'exclude-table-data-and-children': 'use `exclude-table-data` patterns that name the partitions, so that row counts follow the same filter',
  filter: 'set the `schemas`/`tables` options instead, so that row counts follow the same filter',
  'include-foreign-data': 'foreign data lives on another server; back that server up itself',
  'serializable-deferrable': 'Lifeboat hands pg_dump an exported snapshot, which this option cannot use (set `counts: off` to use it)',
};
const SHORT_NAMES: Record<string, string> = {
  f: 'file', F: 'format', j: 'jobs', Z: 'compress', d: 'dbname', h: 'host', p: 'port', U: 'username', W: 'password',
  V: 'version', '?': 'help', s: 'schema-only', n: 'schema', N: 'exclude-schema', t: 'table', T: 'exclude-table',
};
/** Refused only while Lifeboat exports a snapshot (counts on). */
const SNAPSHOT_ONLY = new Set(['serializable-deferrable']);
/** Accepted and honoured by the row counts. */
export const ROW_AFFECTING = { noUnloggedData: 'no-unlogged-table-data', enableRowSecurity: 'enable-row-security' } as const;

/** pg_dump's long options without a value (for resolving abbreviations as getopt does). */
const LONG_FLAGS = [
  'data-only', 'blobs', 'no-blobs', 'large-objects', 'no-large-objects', 'clean', 'create', 'no-owner', 'no-privileges',
  'no-acl', 'no-comments', 'no-publications', 'no-security-labels', 'no-subscriptions', 'no-synchronized-snapshots',
  'no-tablespaces', 'no-toast-compression', 'no-table-access-method', 'no-unlogged-table-data', 'no-sync',
  'quote-all-identifiers', 'strict-names', 'use-set-session-authorization', 'column-inserts', 'attribute-inserts',
  'inserts', 'disable-dollar-quoting', 'disable-triggers', 'enable-row-security', 'if-exists', 'load-via-partition-root',
  'on-conflict-do-nothing', 'binary-upgrade', 'no-password', 'password', 'verbose', 'version', 'help', 'schema-only',
  'no-data', 'no-schema', 'no-statistics', 'statistics-only', 'with-data', 'with-schema', 'with-statistics',
  'sequence-data', 'no-policies', 'serializable-deferrable',
];
const ALL_LONG = [...new Set([...LONG_WITH_VALUE, ...Object.keys(REFUSED), ...LONG_FLAGS])];

/** What the extra arguments change about which rows are dumped. */
export interface ExtraArgsEffect {
  /** `--no-unlogged-table-data`: unlogged tables are dumped without rows. */
  readonly noUnloggedData: boolean;
  /** `--enable-row-security`: rows hidden by row-level security are left out. */
  readonly enableRowSecurity: boolean;
}

/**
 * Checks operator-supplied pg_dump arguments: refuses those that would break the stream or
 * bypass Lifeboat's own settings, each with the option to use instead. `snapshot` says
 * whether Lifeboat passes `--snapshot` (row counts on).
 */
export function checkExtraDumpArgs(args: readonly string[], options: { snapshot: boolean }): ExtraArgsEffect {
  const effect = { noUnloggedData: false, enableRowSecurity: false };
  const refuse = (given: string, name: string) => {
    throw new DumpOptionError(
      `pg-dump-args: '${given}' is not allowed: ${REFUSED[name]}.`,
      `Remove '${given}' from pg-dump-args.`,
    );
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') refuse(arg, 'dbname');
    if (arg.startsWith('--')) {
      const [rawName, value] = splitLong(arg.slice(2));
      const name = expandLong(rawName);
      const refused = refusedLong(rawName, options.snapshot);
      if (refused) refuse(arg, refused);
      if (name === ROW_AFFECTING.noUnloggedData) effect.noUnloggedData = true;
      if (name === ROW_AFFECTING.enableRowSecurity) effect.enableRowSecurity = true;
      if (LONG_WITH_VALUE.has(name) && value === undefined) i++;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short flags, e.g. -Ox; a value-taking flag ends it.
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        const name = SHORT_NAMES[letter];
        if (name && name in REFUSED) refuse(`-${letter}`, name);
        if (SHORT_WITH_VALUE.has(letter)) {
          if (k === arg.length - 1) i++;
          break;
        }
      }
      continue;
    }
    throw new DumpOptionError(
      `pg-dump-args: '${arg}' is not an option; a database name or other positional argument would change what is dumped.`,
      'Set the database in `database-url` (or `databases`) and give only options in pg-dump-args.',
    );
  }
  return effect;
}

/** Splits `pg-dump-args` text into arguments: whitespace-separated, with '...' and "..." quoting. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new DumpOptionError(`pg-dump-args has an unclosed ${quote} quote.`, 'Close the quote.');
  if (started) args.push(current);
  return args;
}

function splitLong(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * The refused option `name` stands for: itself, or one it abbreviates. Which abbreviations
 * are unique differs between pg_dump versions (`--fi` is `--file` before 17 added
 * `--filter`), so any prefix of a refused option is refused.
 */
function refusedLong(name: string, snapshot: boolean): string | undefined {
  const applies = (candidate: string) => !SNAPSHOT_ONLY.has(candidate) || snapshot;
  if (name in REFUSED) return applies(name) ? name : undefined;
  if (ALL_LONG.includes(name)) return undefined;
  return Object.keys(REFUSED).find((candidate) => candidate.startsWith(name) && applies(candidate));
}

/** getopt accepts unambiguous prefixes (`--fi` for `--file`); resolve them the same way. */
function expandLong(name: string): string {
  if (ALL_LONG.includes(name)) return name;
  const matches = [...new Set(ALL_LONG.filter((candidate) => candidate.startsWith(name)))];
  return matches.length === 1 ? matches[0]! : name;
}
