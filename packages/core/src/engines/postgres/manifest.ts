import { z } from 'zod';

/**
 * The manifest's `source` section of a PostgreSQL backup as a drill or restore reads it.
 * Fields older backups may lack are optional; a drill then falls back as it always did.
 */
export const postgresSectionSchema = z.looseObject({
  kind: z.literal('postgres'),
  database: z.string().optional(),
  serverVersion: z.string().optional(),
  serverMajor: z.number().int().nonnegative().optional(),
  clientVersion: z.string().optional(),
  clientMajor: z.number().int().nonnegative().optional(),
  /** `custom`, `directory`, or `globals-sql` (roles and tablespaces, replayed with psql). */
  dumpFormat: z.string().optional(),
  /** pg_dump's compression inside the archive (`none` for `stream-zstd`, whose level is recorded here). */
  compression: z.string().optional(),
  /** `zstd`: the payload is the archive in a zstd frame (`db.pgdump.zst`), decompressed before pg_restore. Absent in older backups: the archive itself. */
  streamCompression: z.string().optional(),
  counts: z.string().optional(),
});

/** A PostgreSQL backup's manifest section, parsed. */
export type PostgresSection = z.infer<typeof postgresSectionSchema>;
