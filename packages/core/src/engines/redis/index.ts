/** The Redis engine: options, backup source, manifest section, drill and restore, break-glass steps. */
export * from './options.js';
export * from './errors.js';
export { parseRedisUrl, describeRedis, type RedisConnection, type RedisTlsOptions } from './connection.js';
export { createRedisSource, type RedisBackupSettings, type RedisSource } from './source.js';
export { redisManifestSchema, parseRedisSection, REDIS_PAYLOAD_FILES, type RedisManifestSection } from './manifest.js';
export { redisStatsSchema, readRedisStats, type RedisStats } from './stats.js';
export { restoreForDrill, automaticChecks, runChecks, restoreInto, assertEmptyTarget, type RedisRestoredTarget, type RedisRestoreResult } from './drill.js';
export { parseChecks, type RedisCheck } from './checks.js';
export { breakGlass } from './break-glass.js';
export { redisEngine } from './engine.js';
export type { RestoredTarget } from '../restored-target.js';
