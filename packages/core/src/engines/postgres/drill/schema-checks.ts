import type { CheckResult } from '../../../catalog/drill-record.js';
import { withConnection } from '../connection.js';
import type { ArchiveContents, ArchiveObject } from '../restore/archive-toc.js';
import { toConnection, type ConnectionTarget } from '../server-info.js';

type Env = Record<string, string | undefined>;

/** Whether each archive object exists, judged from the catalogs by the TOC's own names. */
const PRESENT = `
SELECT o.i, CASE o.kind
  WHEN 'schema' THEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = o.name)
  WHEN 'relation' THEN EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = o.schema AND c.relname = o.name)
  WHEN 'constraint' THEN EXISTS (
    SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      LEFT JOIN pg_class r ON r.oid = c.conrelid LEFT JOIN pg_type t ON t.oid = c.contypid
     WHERE n.nspname = o.schema AND coalesce(r.relname, t.typname) || ' ' || c.conname = o.name)
  WHEN 'function' THEN EXISTS (
    SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = o.schema AND p.proname || '(' || oidvectortypes(p.proargtypes) || ')' = o.name)
  WHEN 'type' THEN EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = o.schema AND t.typname = o.name)
  WHEN 'trigger' THEN EXISTS (
    SELECT 1 FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE n.nspname = o.schema AND r.relname || ' ' || g.tgname = o.name)
  WHEN 'extension' THEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = o.name)
  WHEN 'large object' THEN EXISTS (SELECT 1 FROM pg_largeobject_metadata WHERE oid::text = o.name)
  END AS present
FROM jsonb_to_recordset($1::jsonb) AS o(i int, kind text, schema text, name text)`;

/** Indexes left invalid outside the system schemas. */
const INVALID_INDEXES = `
SELECT i.indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1`;

/** At most this many names in a message. */
const NAMED = 10;

/**
 * The schema checks after a restore: every object in the archive's table of contents exists
 * (tables, views, sequences, indexes, constraints, functions, types, triggers, large objects),
 * every sequence stands where the archive set it, and no index is invalid. Failures name the
 * objects.
 */
export async function schemaChecks(target: ConnectionTarget, contents: ArchiveContents, env?: Env): Promise<CheckResult[]> {
  return withConnection(toConnection(target, env), async (client) => {
    const checks: CheckResult[] = [];
    const objects = contents.objects.map((o, i) => ({ i, kind: o.kind, schema: o.schema, name: o.name }));
    const { rows } = await client.query<{ i: number; present: boolean }>(PRESENT, [JSON.stringify(objects)]);
    const missing = rows.filter((r) => !r.present).map((r) => describeObject(contents.objects[r.i]!));
    checks.push({
      name: 'every object in the archive exists',
      kind: 'schema-objects',
      ok: missing.length === 0,
      expected: `${objects.length} present`,
      actual: `${objects.length - missing.length} present`,
      ...(missing.length > 0 ? { message: `missing: ${named(missing)}` } : {}),
    });

    if (contents.sequences.length > 0) {
      const wrong: string[] = [];
      for (const position of contents.sequences) {
        // The sequence's name as the catalog quotes it: the archive's text never reaches the SQL.
        const found = await client.query<{ name: string | null }>('SELECT to_regclass($1)::text AS name', [position.sequence]);
        const name = found.rows[0]?.name;
        if (!name) {
          wrong.push(`${position.sequence} (missing)`);
          continue;
        }
        const state = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${name}`);
        const row = state.rows[0];
        if (!row || row.last_value !== position.value || row.is_called !== position.isCalled) {
          wrong.push(`${name} (at ${row?.last_value ?? '?'}${row?.is_called === false ? ', not called' : ''}; archive: ${position.value}${position.isCalled ? '' : ', not called'})`);
        }
      }
      checks.push({
        name: 'sequences stand where the archive set them',
        kind: 'sequence-positions',
        ok: wrong.length === 0,
        expected: `${contents.sequences.length} at their positions`,
        actual: `${contents.sequences.length - wrong.length} at their positions`,
        ...(wrong.length > 0 ? { message: named(wrong) } : {}),
      });
    }

    const invalid = (await client.query<{ name: string }>(INVALID_INDEXES)).rows.map((r) => r.name);
    checks.push({
      name: 'no index is invalid',
      kind: 'invalid-indexes',
      ok: invalid.length === 0,
      expected: 0,
      actual: invalid.length,
      ...(invalid.length > 0 ? { message: `invalid: ${named(invalid)}` } : {}),
    });
    return checks;
  });
}

function describeObject(object: ArchiveObject): string {
  const name = object.schema ? `${object.schema}.${object.name}` : object.name;
  return `${object.desc.toLowerCase()} ${name}`;
}

function named(items: readonly string[]): string {
  return `${items.slice(0, NAMED).join(', ')}${items.length > NAMED ? `, and ${items.length - NAMED} more` : ''}`;
}
