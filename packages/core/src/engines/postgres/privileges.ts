import type pg from 'pg';
import { LifeboatError } from '../../report/errors.js';
import { dumpedTablesQuery, type TableFilters, type TableRef } from './tables.js';

/** What a role may not read, of what pg_dump reads under the backup's filters. */
export interface PrivilegeFacts {
  /** The role pg_dump connects as. */
  readonly role: string;
  readonly database: string;
  /** Schemas holding objects in scope that the role has no USAGE on. */
  readonly schemasWithoutUsage: readonly string[];
  /** Tables in scope without SELECT (pg_dump locks and reads every one). */
  readonly tables: readonly TableRef[];
  /** Sequences in scope without SELECT (pg_dump reads their state). */
  readonly sequences: readonly TableRef[];
  /** Large objects without SELECT (oids), when the dump includes them. */
  readonly largeObjects: readonly string[];
  /** How much was checked: tables and sequences in scope, and whether large objects are dumped. */
  readonly scope: { readonly tables: number; readonly sequences: number; readonly largeObjects: boolean };
}

/** Keywords that must be quoted as names (PostgreSQL's reserved and type/function-reserved words). */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp ' +
    'current_user default deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ' +
    'ilike in initially inner intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not ' +
    'notnull null offset on only or order outer overlaps placing primary references returning right select session_user similar ' +
    'some symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** A name as SQL needs it: bare when it is a plain lower-case identifier, else double-quoted. */
export function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const qualified = (t: TableRef) => `${sqlName(t.schema)}.${sqlName(t.name)}`;

/** The GRANT statements that give `facts.role` what pg_dump needs, one per object, schemas first. */
export function missingGrants(facts: PrivilegeFacts): string[] {
  const to = `TO ${sqlName(facts.role)};`;
  return [
    ...facts.schemasWithoutUsage.map((s) => `GRANT USAGE ON SCHEMA ${sqlName(s)} ${to}`),
    ...facts.tables.map((t) => `GRANT SELECT ON TABLE ${qualified(t)} ${to}`),
    ...facts.sequences.map((t) => `GRANT SELECT ON SEQUENCE ${qualified(t)} ${to}`),
    ...facts.largeObjects.map((oid) => `GRANT SELECT ON LARGE OBJECT ${oid} ${to}`),
  ];
}

/** What is missing, in words: "SELECT on table public.secrets, and USAGE on schema audit". */
export function describeMissing(facts: PrivilegeFacts): string {
  const parts = [
    ...facts.schemasWithoutUsage.map((s) => `USAGE on schema ${sqlName(s)}`),
    ...facts.tables.map((t) => `SELECT on table ${qualified(t)}`),
    ...facts.sequences.map((t) => `SELECT on sequence ${qualified(t)}`),
  ];
  const objects = facts.largeObjects.length;
  if (objects > 0) parts.push(`SELECT on ${objects} large object${objects === 1 ? '' : 's'}`);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** True when nothing is missing. */
export function hasEveryPrivilege(facts: PrivilegeFacts): boolean {
  return missingGrants(facts).length === 0;
}

/** The role may not read everything the backup dumps; the fix lists the GRANTs to run. */
export class PrivilegesMissingError extends LifeboatError {
  constructor(readonly facts: PrivilegeFacts) {
    super(
      'postgres-privileges-missing',
      `Role ${sqlName(facts.role)} lacks ${describeMissing(facts)} in database ${sqlName(facts.database)}: pg_dump reads every table and sequence it dumps.`,
      `As the owner or a superuser, run in ${sqlName(facts.database)}: ${missingGrants(facts).join(' ')} Or narrow the backup with \`exclude-tables\` / \`schemas\`.`,
    );
  }
}

/** Large objects reported per database, at most; more are summarised by the count. */
const LARGE_OBJECT_LIMIT = 100;

/**
 * Reads, without reading any rows, which objects in the dump's scope the connected role may
 * not read: schema USAGE, SELECT on tables and sequences, and SELECT on large objects when the
 * whole database is dumped (pg_dump includes them only then).
 */
export async function readPrivilegeFacts(client: pg.ClientBase, filters: TableFilters): Promise<PrivilegeFacts> {
  const check = async (relkind: 'r' | 'S') => {
    const query = dumpedTablesQuery(filters, relkind);
    const { rows } = await client.query<{ schema: string; name: string; usage: boolean; can_select: boolean }>(
      `WITH scope AS (${query.text})
       SELECT s.schema, s.name, pg_catalog.has_schema_privilege(s.schema, 'USAGE') AS usage,
              pg_catalog.has_table_privilege(pg_catalog.quote_ident(s.schema) || '.' || pg_catalog.quote_ident(s.name), 'SELECT') AS can_select
       FROM scope s ORDER BY 1, 2`,
      query.values,
    );
    return rows;
  };
  const tables = await check('r');
  const sequences = await check('S');
  const { rows: who } = await client.query<{ role: string; database: string }>('SELECT current_user AS role, current_database() AS database');
  const wholeDatabase = !(filters.schemas?.length || filters.tables?.length);
  let largeObjects: string[] = [];
  if (wholeDatabase) {
    const { rows } = await client.query<{ oid: string }>(
      `SELECT m.oid::text AS oid FROM pg_catalog.pg_largeobject_metadata m
       WHERE pg_catalog.current_setting('lo_compat_privileges') = 'off'
         AND NOT pg_catalog.pg_has_role(m.lomowner, 'USAGE')
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(m.lomacl) a
                         WHERE a.privilege_type = 'SELECT' AND (a.grantee = 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE')))
       ORDER BY m.oid LIMIT ${LARGE_OBJECT_LIMIT}`,
    );
    largeObjects = rows.map((r) => r.oid);
  }
  const all = [...tables, ...sequences];
  return {
    role: who[0]!.role,
    database: who[0]!.database,
    schemasWithoutUsage: [...new Set(all.filter((r) => !r.usage).map((r) => r.schema))].sort(),
    tables: tables.filter((r) => !r.can_select).map(({ schema, name }) => ({ schema, name })),
    sequences: sequences.filter((r) => !r.can_select).map(({ schema, name }) => ({ schema, name })),
    largeObjects,
    scope: { tables: tables.length, sequences: sequences.length, largeObjects: wholeDatabase },
  };
}
