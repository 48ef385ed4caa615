import { filesBackupOptions, filesRestoreOptions } from './files/options.js';
import { postgresBackupOptions, postgresDrillOptions, postgresRecoveryOptions } from './postgres/options.js';
import { commandBackupOptions, commandDrillOptions, commandRestoreOptions } from './command/options.js';
import { bucketBackupOptions, bucketDrillOptions, bucketRestoreOptions } from './bucket/options.js';
import { redisBackupOptions, redisDrillOptions, redisRestoreOptions } from './redis/options.js';

// Each engine's options, as the backup, drill and restore operations spread them in. An
// engine with options adds one entry to each line here (and one line in registry.ts).

/** The sources `lifeboat backup` can read, and how. */
export const engineBackupOptions = { ...postgresBackupOptions, ...redisBackupOptions, ...commandBackupOptions, ...filesBackupOptions, ...bucketBackupOptions };
/** Where a drill restores each kind. */
export const engineDrillOptions = { ...postgresDrillOptions, ...redisDrillOptions, ...commandDrillOptions, ...bucketDrillOptions };
/** Where `lifeboat restore` writes each kind. */
export const engineRestoreOptions = { ...postgresRecoveryOptions, ...redisRestoreOptions, ...commandRestoreOptions, ...filesRestoreOptions, ...bucketRestoreOptions };
