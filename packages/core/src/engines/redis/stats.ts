import { z } from 'zod';

/** Per-database counts recorded at backup time. */
export const redisDatabaseStatsSchema = z.looseObject({
  db: z.number().int().nonnegative(),
  /** Keys in the snapshot (rdb) or records written (keys). */
  keys: z.number().int().nonnegative(),
  /** Of those, keys with an expiry. */
  expires: z.number().int().nonnegative(),
  /** Keys per type (`string`, `hash`, `list`, `set`, `zset`, `stream`, `module`). */
  types: z.record(z.string(), z.number()).default({}),
});

/**
 * The encrypted stats of a Redis backup: what a drill checks exactly. In rdb mode the
 * counts are those of the snapshot itself, read from the RDB as it passed.
 */
export const redisStatsSchema = z.looseObject({
  mode: z.enum(['rdb', 'keys']),
  databases: z.array(redisDatabaseStatsSchema),
  rdbVersion: z.number().int().nonnegative(),
  serverVersion: z.string(),
  /** Function libraries in the snapshot. */
  functions: z.number().int().nonnegative().default(0),
  /** rdb: `verified`, `absent` (server has rdbchecksum off) or `none`. */
  checksum: z.string().optional(),
  /** When the snapshot was taken (the RDB's ctime, Unix seconds), rdb mode. */
  snapshotTime: z.number().optional(),
  /** keys mode: keys SCAN returned that were gone (or expired) before DUMP reached them. */
  vanished: z.number().int().nonnegative().optional(),
});

export type RedisStats = z.infer<typeof redisStatsSchema>;
export type RedisDatabaseStats = z.infer<typeof redisDatabaseStatsSchema>;

/** The stats of a decrypted backup, or undefined when they are absent or not Redis stats. */
export function readRedisStats(stats: Record<string, unknown> | undefined): RedisStats | undefined {
  const parsed = redisStatsSchema.safeParse(stats);
  return parsed.success ? parsed.data : undefined;
}
