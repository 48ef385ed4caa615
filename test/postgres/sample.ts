/**
 * A sample database with the shapes a dump must get right: several schemas, quoted
 * mixed-case names, a partitioned table, inheritance, an unlogged table, binary data, an
 * owner role other than the superuser, a view and a sequence.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createZstdDecompress } from 'node:zlib';
import type { BackupSource, PostgresSource, SourceResult } from '@lifeboat/core';
import { dirname, join } from 'node:path';
import type { PgServer } from '../services/postgres.js';

/** Row counts the sample is created with, by `schema.name`. */
export const SAMPLE_ROWS: Record<string, number> = {
  'app.customers': 120,
  'app.orders': 1500,
  'app.events_2024': 40,
  'app.events_2025': 60,
  'app.parent': 2,
  'app.child': 3,
  'app.cache': 10,
  'app.blobs': 24,
  'audit.log': 500,
  'Mixed Case.Weird "Name"': 7,
  'public.settings': 3,
};

/** Creates the sample in `database` (created here). */
export async function createSample(server: PgServer, database: string): Promise<void> {
  await server.createDatabase(database);
  await server.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_owner') THEN CREATE ROLE app_owner; END IF; END $$`);
  const sql = `
    CREATE SCHEMA app;
    CREATE SCHEMA audit;
    CREATE SCHEMA "Mixed Case";
    CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL, email text);
    INSERT INTO app.customers SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 120) g;
    CREATE TABLE app.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES app.customers, total numeric(10,2), note text);
    INSERT INTO app.orders (customer_id, total, note) SELECT 1 + g % 120, g * 1.5, repeat('x', g % 50) FROM generate_series(1, 1500) g;
    ALTER TABLE app.orders OWNER TO app_owner;
    CREATE TABLE app.events (id int, at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
    CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    INSERT INTO app.events SELECT g, date '2024-06-01', jsonb_build_object('n', g) FROM generate_series(1, 40) g;
    INSERT INTO app.events SELECT g, date '2025-06-01', jsonb_build_object('n', g) FROM generate_series(1, 60) g;
    CREATE TABLE app.parent (id int, label text);
    CREATE TABLE app.child (extra int) INHERITS (app.parent);
    INSERT INTO app.parent VALUES (1, 'p1'), (2, 'p2');
    INSERT INTO app.child VALUES (3, 'c1', 1), (4, 'c2', 2), (5, 'c3', 3);
    CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v text);
    INSERT INTO app.cache SELECT 'k' || g, 'v' || g FROM generate_series(1, 10) g;
    CREATE TABLE app.blobs (id int PRIMARY KEY, body bytea);
    INSERT INTO app.blobs SELECT g, (SELECT string_agg(decode(md5(random()::text || s), 'hex'), ''::bytea) FROM generate_series(1, 2048) s) FROM generate_series(1, 24) g;
    CREATE VIEW app.big_orders AS SELECT * FROM app.orders WHERE total > 1000;
    CREATE SEQUENCE app.invoice_numbers START 1000;
    CREATE TABLE audit.log (id serial, at timestamptz DEFAULT now(), message text);
    INSERT INTO audit.log (message) SELECT 'event ' || g FROM generate_series(1, 500) g;
    CREATE TABLE "Mixed Case"."Weird ""Name""" ("Id" int, "Value" text);
    INSERT INTO "Mixed Case"."Weird ""Name""" SELECT g, 'v' || g FROM generate_series(1, 7) g;
    CREATE TABLE public.settings (key text PRIMARY KEY, value text);
    INSERT INTO public.settings VALUES ('a', '1'), ('b', '2'), ('c', '3');
  `;
  await server.query(sql, [], database);
}

/** Key of a table in SAMPLE_ROWS and in count maps. */
export function tableKey(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** Counts as a `schema.name → rows` map. */
export function countMap(tables: readonly { schema: string; name: string; rows: number | null }[]): Record<string, number | null> {
  return Object.fromEntries(tables.map((t) => [tableKey(t), t.rows]));
}

/**
 * Folder of the machine's PostgreSQL client programs (pg_dump, pg_restore): the highest
 * major under /usr/lib/postgresql, else the folder of pg_dump on PATH. Tests pass it as
 * `binDir`, as the toolchain would.
 */
export function machineClientBinDir(): string {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((m) => /^\d+$/.test(m) && existsSync(join(debian, m, 'bin', 'pg_dump')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(debian, majors[0], 'bin');
  }
  const onPath = execFileSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).trim();
  return dirname(onPath);
}

/**
 * Runs a source to completion into a file, as the pipeline would stream it. The zstd frame
 * of `compression: stream-zstd` (the custom format's `auto`) is taken off, so the file is the
 * pg_dump archive itself, as pg_restore reads it.
 */
export async function dumpToFile(source: BackupSource, file: string, signal = new AbortController().signal): Promise<SourceResult> {
  const run = await source.start(signal);
  const framed = (source as Partial<PostgresSource>).compression?.method === 'stream-zstd';
  const written = framed ? pipeline(run.stream, createZstdDecompress(), createWriteStream(file)) : pipeline(run.stream, createWriteStream(file));
  // A failed dump ends the frame early, so the decompressor fails too; the dump's own error is the cause.
  const [dumped, wrote] = await Promise.allSettled([run.result, written]);
  if (dumped.status === 'rejected') throw dumped.reason;
  if (wrote.status === 'rejected') throw wrote.reason;
  return dumped.value;
}

/** `schema name` of every TABLE DATA (or TABLE) entry in an archive's table of contents. */
export function archiveEntries(binDir: string, archive: string, kind: 'TABLE DATA' | 'TABLE'): string[] {
  const listing = execFileSync(join(binDir, 'pg_restore'), ['-l', archive], { encoding: 'utf8' });
  const pattern = new RegExp(`^\\d+; \\d+ \\d+ ${kind} (.*) \\S+$`);
  return listing
    .split('\n')
    .map((line) => pattern.exec(line)?.[1])
    .filter((entry): entry is string => entry !== undefined)
    .sort();
}
