import { postgresBackupOptions, postgresDrillOptions, postgresRecoveryOptions } from './postgres/options.js';
import { bucketBackupOptions, bucketDrillOptions, bucketRestoreOptions } from './bucket/options.js';
import { redisBackupOptions, redisDrillOptions, redisRestoreOptions } from './redis/options.js';

// Each engine's options, as the backup, drill and restore operations spread them in. An
// engine with options adds one entry to each line here (and one line in registry.ts).

/** The sources `lifeboat backup` can read, and how. */
export const engineBackupOptions = { ...postgresBackupOptions, ...redisBackupOptions, ...bucketBackupOptions };
/** Where a drill restores each kind. */
export const engineDrillOptions = { ...postgresDrillOptions, ...redisDrillOptions, ...bucketDrillOptions };
/** Where `lifeboat restore` writes each kind. */
export const engineRestoreOptions = { ...postgresRecoveryOptions, ...redisRestoreOptions, ...bucketRestoreOptions };
