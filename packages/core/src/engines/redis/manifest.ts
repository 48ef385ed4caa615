import { z } from 'zod';

/**
 * The manifest's `source` section of a Redis backup: how it was taken and with which
 * versions. Operational facts only; key counts and names go to the encrypted stats.
 */
export const redisManifestSchema = z.looseObject({
  kind: z.literal('redis'),
  /** `rdb`: the server's own snapshot over replication; `keys`: SCAN + DUMP key by key. */
  mode: z.enum(['rdb', 'keys']),
  /** False for `keys`: keys are read one after another while the server keeps changing. */
  pointInTime: z.boolean(),
  /** `rdb` (a Redis RDB file) or `lifeboat-redis-keys/1` (the record file documented in docs/redis.md). */
  payloadFormat: z.enum(['rdb', 'lifeboat-redis-keys/1']),
  serverVersion: z.string(),
  serverMajor: z.number().int().nonnegative(),
  /** RDB format version of the snapshot (rdb) or of the DUMP payloads (keys). */
  rdbVersion: z.number().int().nonnegative(),
  tls: z.boolean(),
  /** `none` or `zstd` (the payload file then ends in `.zst`). */
  compression: z.enum(['none', 'zstd']),
  /** rdb mode: `$<length>` bulk or diskless with an end delimiter; how the bytes came. */
  transfer: z.enum(['bulk', 'eof-marker', 'scan']),
});

/** A Redis backup's manifest section. */
export type RedisManifestSection = z.infer<typeof redisManifestSchema>;

/** Payload names as stored (before `.pgp`). */
export const REDIS_PAYLOAD_FILES = {
  rdb: { none: 'dump.rdb', zstd: 'dump.rdb.zst' },
  keys: { none: 'keys.lbrk', zstd: 'keys.lbrk.zst' },
} as const;

/** Reads a manifest section; throws a zod error naming the field when it is not a Redis section. */
export function parseRedisSection(section: unknown): RedisManifestSection {
  return redisManifestSchema.parse(section);
}
