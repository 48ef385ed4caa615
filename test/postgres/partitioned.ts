import type { PgServer } from '../services/postgres.js';

/**
 * A database with many partitioned tables, the shape that exposes pg_restore's parallel race
 * on partitioned indexes: partitioned primary keys, foreign keys onto partitioned tables,
 * partitions attached after creation, a detached one, sub-partitions, sequences, a view.
 */
export async function createPartitionedDatabase(server: PgServer, database: string, tables = 12, partitions = 4, rows = 600): Promise<void> {
  await server.createDatabase(database);
  const sql: string[] = ['CREATE SCHEMA part;'];
  for (let t = 0; t < tables; t++) {
    sql.push(
      `CREATE TABLE part.p${t} (id bigint NOT NULL, region int NOT NULL, at date NOT NULL, note text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);`,
      `CREATE INDEX p${t}_at ON part.p${t} (at);`,
      `CREATE UNIQUE INDEX p${t}_note ON part.p${t} (note, region);`,
    );
    for (let r = 0; r < partitions; r++) sql.push(`CREATE TABLE part.p${t}_r${r} PARTITION OF part.p${t} FOR VALUES IN (${r + 10});`);
    // One partition made apart and attached, one sub-partitioned, one detached (a plain table now).
    sql.push(
      `CREATE TABLE part.p${t}_att (LIKE part.p${t} INCLUDING DEFAULTS);`,
      `ALTER TABLE part.p${t} ATTACH PARTITION part.p${t}_att FOR VALUES IN (4);`,
      `CREATE TABLE part.p${t}_sub PARTITION OF part.p${t} FOR VALUES IN (5) PARTITION BY LIST (region);`,
      `CREATE TABLE part.p${t}_sub_a PARTITION OF part.p${t}_sub FOR VALUES IN (5);`,
      `CREATE TABLE part.p${t}_det PARTITION OF part.p${t} FOR VALUES IN (6);`,
      `ALTER TABLE part.p${t} DETACH PARTITION part.p${t}_det;`,
      `INSERT INTO part.p${t} SELECT g, CASE WHEN g % 3 = 0 THEN 4 WHEN g % 3 = 1 THEN 5 ELSE 10 + g % ${partitions} END, date '2024-01-01' + g % 300, 'n' || g FROM generate_series(1, ${rows}) g;`,
      `CREATE TABLE part.c${t} (id bigserial PRIMARY KEY, parent_id bigint NOT NULL, region int NOT NULL, FOREIGN KEY (parent_id, region) REFERENCES part.p${t} (id, region));`,
      `INSERT INTO part.c${t} (parent_id, region) SELECT id, region FROM part.p${t} WHERE id <= 300;`,
    );
  }
  sql.push(
    "CREATE FUNCTION part.region_rows(region_id integer, since date DEFAULT '2024-01-01') RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM part.p0 WHERE region = region_id AND at >= since';",
    'CREATE VIEW part.totals AS SELECT count(*) AS n FROM part.p0;', "SELECT setval('part.c0_id_seq', 5000);", 'SELECT lo_create(777001);');
  await server.query(sql.join('\n'), [], database);
}

/** Indexes left invalid in a database (a complete restore has none). */
export async function invalidIndexes(server: PgServer, database: string): Promise<string[]> {
  const rows = await server.query<{ name: string }>('SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid ORDER BY 1', [], database);
  return rows.map((r) => r.name);
}

/** The schema as a list of lines to compare a restore with its source: relations, constraints, index validity. */
export async function schemaFingerprint(server: PgServer, database: string): Promise<string[]> {
  const rows = await server.query<{ line: string }>(
    `SELECT c.relkind::text || ' ' || c.oid::regclass::text || CASE WHEN i.indisvalid = false THEN ' INVALID' ELSE '' END AS line
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
      WHERE n.nspname = 'part'
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || contype::text FROM pg_constraint WHERE connamespace = 'part'::regnamespace
     ORDER BY 1`,
    [],
    database,
  );
  return rows.map((r) => r.line);
}
