import type { PostgresDumpOptions } from './options.js';
import type { Reporter } from '../../report/reporter.js';
import type { PostgresConnection } from './connection.js';
import { splitArgs } from './dump-args.js';
import type { PostgresGlobalsSettings } from './globals.js';
import type { PostgresDumpSettings } from './source.js';

/** What the caller supplies besides the options: where to connect, which client, scratch space. */
export interface PostgresRunEnvironment {
  readonly connection: PostgresConnection;
  readonly binDir?: string;
  readonly tempDir?: string;
  readonly env?: Record<string, string | undefined>;
  readonly reporter?: Reporter;
}

/** Settings for `createPostgresSource` from the parsed `postgresDumpOptions`. */
export function postgresDumpSettings(options: PostgresDumpOptions, run: PostgresRunEnvironment): PostgresDumpSettings {
  return {
    ...run,
    format: options.format,
    jobs: options.jobs,
    compression: options.compression,
    counts: options.counts,
    filters: {
      schemas: options.schemas ?? [],
      excludeSchemas: options.excludeSchemas ?? [],
      tables: options.tables ?? [],
      excludeTables: options.excludeTables ?? [],
      excludeTableData: options.excludeTableData ?? [],
    },
    noPrivileges: options.noPrivileges,
    extraArgs: options.pgDumpArgs ? splitArgs(options.pgDumpArgs) : [],
  };
}

/** Settings for `createPostgresGlobalsSource` from the parsed `postgresDumpOptions`. */
export function postgresGlobalsSettings(options: PostgresDumpOptions, run: PostgresRunEnvironment): PostgresGlobalsSettings {
  return { ...run, rolePasswords: options.globalsRolePasswords };
}
