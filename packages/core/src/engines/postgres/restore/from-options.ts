import { availableParallelism } from 'node:os';
import type { PostgresRestoreOptions } from '../options.js';
import type { RestorePostgresOptions } from './restore-postgres.js';

/** The pg_restore settings of `restorePostgres` from the parsed `postgresRestoreOptions`. */
export function postgresRestoreSettings(
  options: PostgresRestoreOptions,
): Pick<RestorePostgresOptions, 'jobs' | 'noOwner' | 'noPrivileges' | 'maxErrors'> {
  return {
    jobs: options.restoreJobs ?? defaultRestoreJobs(availableParallelism()),
    noOwner: !options.restoreOwners,
    noPrivileges: !options.restorePrivileges,
    maxErrors: options.maxRestoreErrors,
  };
}

/**
 * pg_restore jobs when `restore-jobs` is empty: one per core (pg_restore and the server share
 * them), at most 16 so that the connections fit a throwaway server's `max_connections`.
 */
export function defaultRestoreJobs(cores: number): number {
  return Math.max(1, Math.min(16, Math.floor(cores)));
}
