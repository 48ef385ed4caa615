/**
 * Benchmark databases of a requested size, generated on the server itself:
 * - `compressible`: ordinary application rows (ids, names, statuses, amounts, timestamps,
 *   text, JSON) with a primary key and a secondary index, as most production data looks;
 * - `incompressible`: random bytea in 64 KiB values (uploaded files, encrypted blobs),
 *   stored without TOAST compression so the bytes on disk are the bytes dumped.
 * Both spread over several tables, so `pg_restore --jobs` has parallel work to do.
 * The size aimed at is `pg_database_size` (indexes included), reached in batches.
 */
import type { PgServer } from '../services/postgres.js';

export type DataVariant = 'compressible' | 'incompressible';

/** A generated database. */
export interface BenchDatabase {
  readonly name: string;
  readonly variant: DataVariant;
  /** `pg_database_size` once filled. */
  readonly bytes: number;
  readonly rows: number;
  readonly tables: number;
  readonly seconds: number;
  /** How the random bytes were made (pgcrypto when the server has it). */
  readonly generator: string;
}

const TABLES = 4;
const BLOB_BYTES = 64 * 1024;

/** Creates `name` on `server` and fills it to about `sizeMiB` MiB of `variant` data. */
export async function createBenchDatabase(server: PgServer, name: string, variant: DataVariant, sizeMiB: number): Promise<BenchDatabase> {
  const started = performance.now();
  await server.query(`DROP DATABASE IF EXISTS ${name}`);
  await server.createDatabase(name);
  const q = (sql: string, params?: unknown[]) => server.query(sql, params, name);
  const size = async () => Number((await q('SELECT pg_database_size(current_database()) AS n'))[0]!.n);
  const target = sizeMiB * 2 ** 20;
  const empty = await size();

  let generator = 'generate_series';
  let insert: (table: string, from: number, to: number) => Promise<unknown>;
  for (let t = 1; t <= TABLES; t++) {
    if (variant === 'compressible') {
      await q(`CREATE TABLE orders_${t} (id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL, total numeric(12,2),
               created timestamptz NOT NULL, note text, doc jsonb)`);
      await q(`CREATE INDEX orders_${t}_customer ON orders_${t} (customer, created)`);
    } else {
      await q(`CREATE TABLE blobs_${t} (id bigint PRIMARY KEY, name text NOT NULL, body bytea NOT NULL)`);
      await q(`ALTER TABLE blobs_${t} ALTER COLUMN body SET STORAGE EXTERNAL`);
    }
  }
  if (variant === 'compressible') {
    insert = (table, from, to) =>
      q(
        `INSERT INTO ${table}
         SELECT g, 'customer-' || (g % 50000), (ARRAY['new','paid','shipped','returned','cancelled'])[1 + g % 5],
                round((random() * 10000)::numeric, 2), timestamptz '2020-01-01' + g * interval '17 seconds',
                md5(g::text) || ' ' || repeat('lorem ipsum dolor sit amet ', (1 + g % 4)::int),
                jsonb_build_object('sku', 'SKU-' || (g % 997), 'qty', 1 + g % 9, 'gift', g % 11 = 0, 'tags', jsonb_build_array('web', 'eu'))
         FROM generate_series($1::bigint, $2::bigint) g`,
        [from, to],
      );
  } else {
    const pgcrypto = await q('CREATE EXTENSION IF NOT EXISTS pgcrypto').then(
      () => true,
      () => false,
    );
    // gen_random_bytes gives at most 1024 bytes a call; md5 (16 bytes a call) is the slower fallback.
    const piece = pgcrypto ? `gen_random_bytes(1024)` : `decode(md5(random()::text || g || s), 'hex')`;
    const pieces = BLOB_BYTES / (pgcrypto ? 1024 : 16);
    generator = pgcrypto ? 'pgcrypto gen_random_bytes' : 'md5(random())';
    // `WHERE g > 0` ties the sub-select to the row, so every value is drawn anew.
    insert = (table, from, to) =>
      q(
        `INSERT INTO ${table}
         SELECT g, 'file-' || g || '.bin', (SELECT string_agg(${piece}, ''::bytea) FROM generate_series(1, ${pieces}) s WHERE g > 0)
         FROM generate_series($1::bigint, $2::bigint) g`,
        [from, to],
      );
  }

  // A first small batch measures bytes per row; later batches aim at the remaining size.
  let rows = 0;
  let nextId = 1;
  let bytesPerRow = variant === 'compressible' ? 300 : BLOB_BYTES;
  let current = empty;
  for (let t = 1; t <= TABLES; t++) {
    const tableTarget = empty + ((target - empty) * t) / TABLES;
    while (current < tableTarget) {
      const wanted = Math.ceil((tableTarget - current) / bytesPerRow);
      const batch = Math.max(1, Math.min(wanted, Math.ceil((64 * 2 ** 20) / bytesPerRow), rows === 0 ? 10_000 : Infinity));
      await insert(`${variant === 'compressible' ? 'orders' : 'blobs'}_${t}`, nextId, nextId + batch - 1);
      nextId += batch;
      rows += batch;
      const after = await size();
      if (after > current) bytesPerRow = Math.max(1, (after - empty) / rows);
      current = after;
    }
  }
  // The extension only made data; the dump should hold tables alone.
  if (variant === 'incompressible') await q('DROP EXTENSION IF EXISTS pgcrypto');
  // Settle the data before anything is timed: hint bits and visibility map set, dirty pages
  // written, so the first measurement does not pay for the generation.
  await q('VACUUM ANALYZE');
  await q('CHECKPOINT');
  return { name, variant, bytes: await size(), rows, tables: TABLES, seconds: (performance.now() - started) / 1000, generator };
}
