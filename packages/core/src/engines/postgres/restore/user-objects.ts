import { withConnection } from '../connection.js';
import { toConnection, type ConnectionTarget } from '../server-info.js';

type Env = Record<string, string | undefined>;

/**
 * Everything a user made in a database, whatever its kind: initdb gives every built-in object
 * an OID below 16384 (FirstNormalObjectId), so any object at or above it was created later.
 * Indexes, TOAST tables, triggers and the like come with a table and are not listed apart.
 */
const USER_OBJECTS = `
SELECT 'schema ' || quote_ident(nspname) AS object FROM pg_namespace
  WHERE oid >= 16384 AND nspname !~ '^pg_(toast_)?temp_'
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
  WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table'
  WHEN 'c' THEN 'composite type' ELSE 'relation' END || ' ' || c.oid::regclass::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid >= 16384 AND c.relkind NOT IN ('t', 'i', 'I') AND n.nspname !~ '^pg_(toast_)?temp_'
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END || ' ' || p.oid::regprocedure::text
  FROM pg_proc p WHERE p.oid >= 16384
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'e' THEN 'enum type' WHEN 'r' THEN 'range type' ELSE 'type' END || ' ' || t.oid::regtype::text
  FROM pg_type t WHERE t.oid >= 16384 AND t.typtype NOT IN ('c', 'm') AND t.typcategory <> 'A'
UNION ALL
SELECT 'large object ' || oid FROM pg_largeobject_metadata
UNION ALL
SELECT 'extension ' || quote_ident(extname) FROM pg_extension WHERE oid >= 16384
UNION ALL
SELECT 'collation ' || quote_ident(collname) FROM pg_collation WHERE oid >= 16384
UNION ALL
SELECT 'operator ' || oid::regoperator::text FROM pg_operator WHERE oid >= 16384
UNION ALL
SELECT 'text search configuration ' || oid::regconfig::text FROM pg_ts_config WHERE oid >= 16384
UNION ALL
SELECT 'text search dictionary ' || oid::regdictionary::text FROM pg_ts_dict WHERE oid >= 16384
UNION ALL
SELECT 'cast ' || format_type(castsource, NULL) || ' AS ' || format_type(casttarget, NULL) FROM pg_cast WHERE oid >= 16384
UNION ALL
SELECT 'language ' || quote_ident(lanname) FROM pg_language WHERE oid >= 16384
UNION ALL
SELECT 'foreign-data wrapper ' || quote_ident(fdwname) FROM pg_foreign_data_wrapper WHERE oid >= 16384
UNION ALL
SELECT 'foreign server ' || quote_ident(srvname) FROM pg_foreign_server WHERE oid >= 16384
UNION ALL
SELECT 'event trigger ' || quote_ident(evtname) FROM pg_event_trigger WHERE oid >= 16384
UNION ALL
SELECT 'publication ' || quote_ident(pubname) FROM pg_publication WHERE oid >= 16384
UNION ALL
SELECT 'default privileges for ' || pg_get_userbyid(defaclrole) FROM pg_default_acl WHERE oid >= 16384
`;

/** Every user object in the target's database, each as `kind name` (e.g. `partitioned table app.events`). */
export async function listUserObjects(target: ConnectionTarget, env?: Env): Promise<string[]> {
  return withConnection(toConnection(target, env), async (client) => {
    const { rows } = await client.query<{ object: string }>(`SELECT object FROM (${USER_OBJECTS}) AS o ORDER BY 1`);
    return rows.map((r) => r.object);
  });
}

/** `3 user objects (schema app, table app.t, view app.v)`: at most `limit` named. */
export function describeUserObjects(objects: readonly string[], limit = 10): string {
  const named = objects.slice(0, limit).join(', ');
  const more = objects.length > limit ? `, and ${objects.length - limit} more` : '';
  return `${objects.length} user object${objects.length === 1 ? '' : 's'} (${named}${more})`;
}
