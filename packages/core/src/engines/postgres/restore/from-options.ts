import type { PostgresRestoreOptions } from '../options.js';
import type { RestorePostgresOptions } from './restore-postgres.js';

/** The pg_restore settings of `restorePostgres` from the parsed `postgresRestoreOptions`. */
export function postgresRestoreSettings(
  options: PostgresRestoreOptions,
): Pick<RestorePostgresOptions, 'jobs' | 'noOwner' | 'noPrivileges' | 'maxErrors'> {
  return {
    jobs: options.restoreJobs,
    noOwner: !options.restoreOwners,
    noPrivileges: !options.restorePrivileges,
    maxErrors: options.maxRestoreErrors,
  };
}
