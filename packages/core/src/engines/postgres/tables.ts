import type pg from 'pg';
import { DumpOptionError } from './errors.js';

/** A table by schema and name. */
export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

/** A table with its row count (`null`: unknown, e.g. an estimate before the first ANALYZE). */
export interface TableRows extends TableRef {
  readonly rows: number | null;
}

/** How row counts are taken: exactly in the dump's snapshot, from planner statistics, or not at all. */
export type CountMode = 'exact' | 'estimate' | 'off';

/** pg_dump's table selection, as psql-style patterns (`public.*`, `"Mixed".t?`). */
export interface TableFilters {
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  readonly tables?: readonly string[];
  readonly excludeTables?: readonly string[];
  readonly excludeTableData?: readonly string[];
  /** `--no-unlogged-table-data` among the extra arguments. */
  readonly noUnloggedData?: boolean;
}

/** A table pg_dump will dump, and whether it dumps its rows. */
export interface DumpedTable extends TableRef {
  readonly withData: boolean;
  /** pg_class.reltuples: -1 when never analyzed (PostgreSQL ≥ 14). */
  readonly reltuples: number;
}

/**
 * Translates one dot-separated part of a psql pattern to an anchored POSIX regex, as
 * pg_dump does: unquoted letters fold to lower case, `*` → `.*`, `?` → `.`, `$` is literal,
 * other regex syntax passes through; inside double quotes everything is literal (`""` is `"`).
 */
export function patternPartToRegex(part: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '"') {
      if (quoted && part[i + 1] === '"') {
        out += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if (quoted) {
      out += /[|*+?()[\]{}.^$\\]/.test(c) ? `\\${c}` : c;
    } else if (c === '*') {
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '$') {
      out += '\\$';
    } else {
      out += c.toLowerCase();
    }
  }
  return `^(${out})$`;
}

/** Splits a pattern at unquoted dots. */
export function splitPattern(pattern: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of pattern) {
    if (c === '"') quoted = !quoted;
    if (c === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

interface CompiledTablePattern {
  schema?: string;
  name: string;
}

function compileTablePattern(pattern: string, option: string): CompiledTablePattern {
  const parts = splitPattern(pattern.trim());
  // pg_dump accepts database.schema.table when database is the one dumped; the database
  // part is checked by pg_dump itself.
  if (parts.length > 3) {
    throw new DumpOptionError(`${option}: '${pattern}' has too many dotted names.`, 'Write a table as `table` or `schema.table`.');
  }
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return { ...(schema !== undefined ? { schema: patternPartToRegex(schema) } : {}), name: patternPartToRegex(name) };
}

function compileSchemaPattern(pattern: string, option: string): string {
  const parts = splitPattern(pattern.trim());
  if (parts.length > 2) {
    throw new DumpOptionError(`${option}: '${pattern}' has too many dotted names.`, 'Write a schema as `schema`.');
  }
  return patternPartToRegex(parts[parts.length - 1]!);
}

/** Validates the filter patterns (throws DumpOptionError) without a database. */
export function checkTableFilters(filters: TableFilters): void {
  filters.schemas?.forEach((p) => compileSchemaPattern(p, 'schemas'));
  filters.excludeSchemas?.forEach((p) => compileSchemaPattern(p, 'exclude-schemas'));
  filters.tables?.forEach((p) => compileTablePattern(p, 'tables'));
  filters.excludeTables?.forEach((p) => compileTablePattern(p, 'exclude-tables'));
  filters.excludeTableData?.forEach((p) => compileTablePattern(p, 'exclude-table-data'));
}

/**
 * SQL listing the ordinary tables (and partitions) whose definition pg_dump dumps under these
 * filters, with whether their rows are dumped. Mirrors pg_dump: `tables` overrides the schema
 * filters; a schema-less table pattern matches tables visible on the role's search_path;
 * system schemas, temporary schemas and tables owned by extensions are not dumped. With
 * `relkind` `S`, the sequences the same filters select (pg_dump's patterns match sequences too).
 */
export function dumpedTablesQuery(filters: TableFilters, relkind: 'r' | 'S' = 'r'): { text: string; values: string[] } {
  const values: string[] = [];
  const param = (value: string) => {
    values.push(value);
    return `$${values.length}`;
  };
  const tableMatch = (pattern: CompiledTablePattern) =>
    pattern.schema !== undefined
      ? `(n.nspname ~ ${param(pattern.schema)} AND c.relname ~ ${param(pattern.name)})`
      : `(c.relname ~ ${param(pattern.name)} AND pg_catalog.pg_table_is_visible(c.oid))`;
  const anyTable = (patterns: readonly string[] | undefined, option: string) =>
    (patterns ?? []).map((p) => tableMatch(compileTablePattern(p, option)));
  const anySchema = (patterns: readonly string[] | undefined, option: string) =>
    (patterns ?? []).map((p) => `n.nspname ~ ${param(compileSchemaPattern(p, option))}`);

  const where = [
    relkind === 'S' ? `c.relkind = 'S'` : `c.relkind = 'r'`,
    `n.nspname <> 'information_schema'`,
    `n.nspname !~ '^pg_'`,
    `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e')`,
  ];
  const include = anyTable(filters.tables, 'tables');
  if (include.length > 0) {
    where.push(`(${include.join(' OR ')})`);
  } else {
    const schemas = anySchema(filters.schemas, 'schemas');
    if (schemas.length > 0) where.push(`(${schemas.join(' OR ')})`);
    const excludedSchemas = anySchema(filters.excludeSchemas, 'exclude-schemas');
    if (excludedSchemas.length > 0) where.push(`NOT (${excludedSchemas.join(' OR ')})`);
  }
  const excluded = anyTable(filters.excludeTables, 'exclude-tables');
  if (excluded.length > 0) where.push(`NOT (${excluded.join(' OR ')})`);
  const noData = anyTable(filters.excludeTableData, 'exclude-table-data');
  if (filters.noUnloggedData) noData.push(`c.relpersistence = 'u'`);
  const withData = noData.length > 0 ? `NOT (${noData.join(' OR ')})` : 'true';
  const text = `SELECT n.nspname AS schema, c.relname AS name, ${withData} AS with_data, c.reltuples::float8 AS reltuples
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${where.join('\n  AND ')}
ORDER BY 1, 2`;
  return { text, values };
}

/** The tables pg_dump will dump under `filters`, read through `client` (inside the dump's snapshot). */
export async function listDumpedTables(client: pg.ClientBase, filters: TableFilters): Promise<DumpedTable[]> {
  const query = dumpedTablesQuery(filters);
  const { rows } = await client.query<{ schema: string; name: string; with_data: boolean; reltuples: number }>(query);
  return rows.map((r) => ({ schema: r.schema, name: r.name, withData: r.with_data, reltuples: Number(r.reltuples) }));
}

/**
 * Exact row counts (`count(*)` of each table's own rows, as pg_dump's COPY reads them),
 * batched to save round trips. Runs in whatever transaction `client` is in.
 */
export async function countTableRows(client: pg.ClientBase, tables: readonly TableRef[], batchSize = 50): Promise<TableRows[]> {
  const counts: TableRows[] = [];
  for (let start = 0; start < tables.length; start += batchSize) {
    const batch = tables.slice(start, start + batchSize);
    const text = batch
      .map((t, i) => `SELECT ${i} AS i, count(*) AS n FROM ONLY ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`)
      .join('\nUNION ALL\n');
    const { rows } = await client.query<{ i: number; n: string }>(text);
    const byIndex = new Map(rows.map((r) => [Number(r.i), Number(r.n)]));
    batch.forEach((t, i) => counts.push({ schema: t.schema, name: t.name, rows: byIndex.get(i) ?? null }));
  }
  return counts;
}

/** Planner estimates (pg_class.reltuples), `null` where the table was never analyzed. */
export function estimatedRows(tables: readonly DumpedTable[]): TableRows[] {
  return tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.reltuples < 0 ? null : Math.round(t.reltuples) }));
}

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
