import { opt, type OptionDef, type ResolvedOptions } from '../../options/define.js';
import { toolchainOptions } from '../../options/toolchain.js';
import { parseCompression, type CompressionSetting } from './compression.js';

/** `compression` needs its own parser (method plus optional level), so it is declared in full. */
const compression: OptionDef<CompressionSetting> = {
  kind: 'string',
  form: '`auto`, `none`, `gzip[:1-9]`, `lz4[:1-12]`, `zstd[:1-22]` or `stream-zstd[:1-19]`',
  parse: parseCompression,
  default: 'auto',
  description:
    'How the dump is compressed. `auto`: `stream-zstd:1` with `format: custom`; with `format: directory`, zstd:1 with pg_dump 16 or newer, else gzip:1. `stream-zstd[:1-19]` (default level 1): pg_dump writes no compression and Lifeboat compresses the archive stream with zstd beside it (the `zstd` program on every core, else Node\'s zstd), with any pg_dump; the payload is `db.pgdump.zst` (restore by hand with `zstd -d`, see docs/break-glass.md); `format: custom` only. Inside the pg_dump archive: `none`, `gzip[:1-9]`, `lz4[:1-12]` or `zstd[:1-22]` (the payload is then `db.pgdump`, restorable with pg_restore alone); lz4 and zstd need pg_dump 16+ to write and pg_restore 16+ to restore.',
};

/** How PostgreSQL databases are dumped; the backup operation spreads these in. */
export const postgresDumpOptions = {
  databases: opt.list({
    description:
      'Databases to back up, each as its own backup named after it: names, or `all` for every database that accepts connections. Empty: the database in `database-url`.',
  }),
  globals: opt.boolean({
    default: 'false',
    description:
      'Also back up roles and tablespaces (`pg_dumpall --globals-only`) as a backup named `globals`, to restore with psql before the databases.',
  }),
  'globals-role-passwords': opt.boolean({
    default: 'true',
    description:
      'Include role password hashes in the globals backup. Managed services (RDS, Cloud SQL, Azure) do not let anyone read them: set `false` there.',
  }),
  format: opt.enum(['custom', 'directory'] as const, {
    default: 'custom',
    description:
      '`custom`: one archive streamed from pg_dump, nothing written to disk. `directory`: pg_dump writes in parallel (`jobs`) to a private folder on the runner\'s temp disk, which is then streamed as a tar and removed; it needs free disk the size of the dump, and that copy is unencrypted while it exists.',
  }),
  jobs: opt.integer({
    default: '1',
    min: 1,
    max: 64,
    description: 'Parallel pg_dump workers, with `format: directory` (each holds a database connection).',
  }),
  compression,
  counts: opt.enum(['exact', 'estimate', 'off'] as const, {
    default: 'exact',
    description:
      'Per-table row counts stored encrypted with the backup, for drills to compare: `exact` counts every table in the dump\'s own snapshot (reads each table once more), `estimate` takes planner statistics, `off` none.',
  }),
  schemas: opt.list({
    description: 'Dump only these schemas: psql-style patterns such as `public` or `app_*`. Empty: all.',
  }),
  'exclude-schemas': opt.list({
    description: 'Leave these schemas out (patterns).',
  }),
  tables: opt.list({
    description:
      'Dump only these tables (patterns such as `public.orders` or `audit.*`; without a schema, tables on the search path). Takes precedence over `schemas`. Empty: all.',
  }),
  'exclude-tables': opt.list({
    description: 'Leave these tables out (patterns).',
  }),
  'exclude-table-data': opt.list({
    description: 'Dump these tables\' definitions but not their rows (patterns), e.g. large logs or caches.',
  }),
  'no-privileges': opt.boolean({
    default: 'false',
    description: 'Leave privileges (GRANT/REVOKE) out of the dump.',
  }),
  'pg-dump-args': opt.text({
    description:
      'More pg_dump options, space-separated (quote values that contain spaces), e.g. `--no-comments --lock-wait-timeout=5min`. Options Lifeboat sets itself (output, format, jobs, compression, snapshot, connection and table filters) are refused, naming the option to use instead.',
  }),
};

/** How a PostgreSQL payload is restored (drill and restore operations spread these in). */
export const postgresRestoreOptions = {
  'restore-jobs': opt.integer({
    min: 1,
    max: 64,
    description: 'Parallel pg_restore jobs (each holds a connection to the target). An archive that attaches partition indexes gets its indexes, constraints and triggers in one job after the data, which keeps partitioned indexes valid. Empty: the CPU cores available to Lifeboat, at most 16.',
  }),
  'restore-owners': opt.boolean({
    default: 'false',
    description:
      'Give restored objects their original owners (needs `restore-as-superuser` when the target user is a superuser). Off: they belong to the target database\'s owner, so the source\'s roles need not exist there.',
  }),
  'restore-privileges': opt.boolean({
    default: 'false',
    description: 'Restore GRANT/REVOKE too (the roles they name must exist on the target).',
  }),
  'restore-as-superuser': opt.boolean({
    default: 'false',
    description:
      'Run pg_restore as the target\'s superuser. Off: when the target user is a superuser, Lifeboat restores as a temporary role that owns only the target database, so what a backup holds (`COPY ... TO PROGRAM`, untrusted languages, functions called by constraints) cannot act as a superuser on the machine. Set it for dumps that need one (untrusted extensions, `restore-owners`).',
  }),
  'max-restore-errors': opt.integer({
    default: '0',
    min: 0,
    description:
      'Fail when pg_restore ignored more errors than this. Known harmless ones (pg_restore 17+ setting `transaction_timeout` on an older server) are reported by name and not counted.',
  }),
};

/** Parsed values of `postgresDumpOptions`. */
export type PostgresDumpOptions = ResolvedOptions<typeof postgresDumpOptions>;
/** Parsed values of `postgresRestoreOptions`. */
export type PostgresRestoreOptions = ResolvedOptions<typeof postgresRestoreOptions>;

/** How `lifeboat backup` reaches PostgreSQL and dumps it; the backup operation spreads these in. */
export const postgresBackupOptions = {
  'database-url': opt.string({
    secret: true,
    description: 'PostgreSQL connection URL of the source (`postgres://user:pass@host:5432/db`). Empty: the standard `PG*` variables (when no other kind\'s source, such as `redis-url`, is set).',
  }),
  ...postgresDumpOptions,
  ...toolchainOptions,
};

/** Where a PostgreSQL drill restores; the drill operation spreads these in. */
export const postgresDrillOptions = {
  'target-database-url': opt.string({
    secret: true,
    description:
      'PostgreSQL server to drill into, e.g. a `services: postgres` container. The backup is restored into a new scratch database there, dropped afterwards (globals backups are refused there: roles belong to the whole server). Empty: Lifeboat starts a throwaway server of the backup\'s major itself (local server binaries, or a `postgres:<major>` container on Linux runners).',
  }),
  ...postgresRestoreOptions,
  ...toolchainOptions,
};

/** Where a real PostgreSQL recovery writes; the restore operation spreads these in. */
export const postgresRecoveryOptions = {
  'target-database-url': opt.string({
    secret: true,
    description: 'PostgreSQL URL of the database to restore a PostgreSQL backup into. It must exist and hold no user objects (no tables, views, schemas, functions, types, large objects, ...).',
  }),
  ...postgresRestoreOptions,
  ...toolchainOptions,
};
