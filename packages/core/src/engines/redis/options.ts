import { opt, type ResolvedOptions } from '../../options/define.js';

/** TLS settings for whichever Redis URL an operation uses (`rediss://`). */
export const redisTlsOptions = {
  'redis-tls-ca': opt.text({
    description:
      'CA certificate(s) that signed the Redis server\'s TLS certificate: PEM text (from a secret or variable) or the path of a PEM file. Empty: the system\'s CAs. Only with `rediss://` URLs.',
  }),
  'redis-tls-cert': opt.text({
    description: 'Client certificate (PEM text or file) for servers with `tls-auth-clients yes`; with `redis-tls-key`.',
  }),
  'redis-tls-key': opt.text({
    secret: true,
    description: 'Private key of `redis-tls-cert` (PEM text or file).',
  }),
  'redis-tls-servername': opt.string({
    description: 'Host name the server\'s certificate must carry, when it differs from the URL\'s host (e.g. connecting by IP address).',
  }),
};

/** How Redis is backed up; the backup operation spreads these in. */
export const redisBackupOptions = {
  'redis-url': opt.string({
    secret: true,
    description:
      'Redis server to back up: `redis://[user:password@]host:6379`, `rediss://` for TLS. Every database of the server is backed up. An ACL user needs replication rights for `redis-mode: rdb` (`+sync +psync +replconf`).',
  }),
  'redis-mode': opt.enum(['rdb', 'keys'] as const, {
    default: 'rdb',
    description:
      '`rdb`: the server\'s own point-in-time snapshot, pulled over the replication protocol as `redis-cli --rdb` does. `keys`: for servers that refuse replication (managed services, ACL users without it): SCAN + DUMP + PEXPIRETIME of every key into a record file that RESTORE reads back. `keys` is not a point-in-time snapshot: keys written during the backup may or may not be in it.',
  }),
  'redis-compression': opt.enum(['none', 'zstd'] as const, {
    default: 'none',
    description:
      'Compression of the payload: `none` (Redis already LZF-compresses long values inside the RDB) or `zstd` (Node ≥ 22.15, or the `zstd` program on PATH).',
  }),
  'redis-scan-count': opt.integer({
    default: '1000',
    min: 1,
    max: 100_000,
    description: '`redis-mode: keys`: keys asked for per SCAN call (the COUNT hint); their DUMPs are sent 100 keys per write.',
  }),
  ...redisTlsOptions,
};

/** Where a Redis drill restores; the drill operation spreads these in. */
export const redisDrillOptions = {
  'target-redis-url': opt.string({
    secret: true,
    description:
      'Redis server to drill into; it must hold no keys, and is emptied (FLUSHALL) after the drill. Empty: Lifeboat starts a throwaway redis-server of the backup\'s major (or newer) itself: the machine\'s binary, or a `redis:<major>` container on Linux runners.',
  }),
  'redis-server-path': opt.string({
    description: 'The redis-server program for throwaway servers (with redis-check-rdb beside it or on PATH). Empty: redis-server on PATH.',
  }),
  ...redisTlsOptions,
};

/** Where a Redis restore writes; the restore operation spreads these in. */
export const redisRestoreOptions = {
  'target-redis-url': opt.string({
    secret: true,
    description:
      'Redis server to restore a Redis backup into, for a real recovery: every key of the backup is written with RESTORE (expiries kept). It must hold no keys. Servers that can load files directly can instead start from the decrypted RDB (see the break-glass steps).',
  }),
  ...redisTlsOptions,
};

/** Parsed values of `redisBackupOptions`. */
export type RedisBackupOptions = ResolvedOptions<typeof redisBackupOptions>;
/** Parsed values of `redisDrillOptions`. */
export type RedisDrillOptions = ResolvedOptions<typeof redisDrillOptions>;
/** Parsed values of `redisRestoreOptions`. */
export type RedisRestoreOptions = ResolvedOptions<typeof redisRestoreOptions>;
