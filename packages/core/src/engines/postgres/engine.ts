import { RestoreTargetError } from '../../drill/errors.js';
import { OptionError } from '../../report/errors.js';
import { checkPostgresSource } from './preflight.js';
import { resolvePostgresClient } from '../../toolchain/resolve.js';
import type { Engine, PlannedBackup } from '../engine.js';
import type { RestoredTarget } from '../restored-target.js';
import { connectionForDatabase, resolveConnection, type PostgresConnection } from './connection.js';
import { restorePayload } from './drill/restore-payload.js';
import { runSqlChecks } from './drill/run-sql-checks.js';
import { parseSqlChecks, type SqlCheck } from './drill/sql-checks.js';
import { rowCountChecks } from './drill/table-checks.js';
import { prepareDrillTarget } from './drill/target.js';
import { postgresDumpSettings, postgresGlobalsSettings } from './from-options.js';
import { createPostgresGlobalsSource } from './globals.js';
import { postgresSectionSchema, type PostgresSection } from './manifest.js';
import { listTables, readServerInfo, resolveDatabases, type ServerInfo } from './server-info.js';
import { createPostgresSource } from './source.js';

/** A database a PostgreSQL drill restored into. */
export interface PostgresRestoredTarget extends RestoredTarget {
  readonly connection: PostgresConnection;
  readonly server: ServerInfo;
}

/**
 * PostgreSQL: pg_dump of each database (and the globals) on backup; a drill restores into a
 * scratch database or a throwaway server of the backup's major with a pg_restore that fits,
 * checks every recorded table's row count, and runs SQL checks read-only.
 */
export const postgresEngine: Engine<PostgresSection, PostgresRestoredTarget, SqlCheck> = {
  id: 'postgres',
  title: 'PostgreSQL',
  kinds: ['postgres'],
  section: postgresSectionSchema,

  backup: {
    option: 'database-url',
    selected: (options) => options.databaseUrl !== undefined,
    async plan(options, context) {
      const connection = resolveConnection(options.databaseUrl, context.env);
      const server = await readServerInfo(connection, context.env);
      const client = await resolvePostgresClient({ purpose: 'dump', serverMajor: server.major, override: options.postgresClientVersion, context });
      const databases = await resolveDatabases(connection, options.databases, context.env);
      if (options.name && databases.length > 1) {
        throw new OptionError(
          `\`name\` (${options.name}) names one backup, but ${databases.length} databases are to be backed up.`,
          'Leave `name` empty: each database is then backed up under its own name.',
        );
      }
      const run = { binDir: client.binDir, tempDir: context.tempDir, env: context.env, reporter: context.reporter };
      const planned: PlannedBackup[] = databases.map((database) => ({
        name: options.name ?? database,
        create: () => createPostgresSource(postgresDumpSettings(options, { ...run, connection: connectionForDatabase(connection, database) })),
      }));
      if (options.globals) planned.push({ name: 'globals', create: () => createPostgresGlobalsSource(postgresGlobalsSettings(options, { ...run, connection })) });
      return planned;
    },
    async preflight(options, context, checks) {
      await checkPostgresSource(options, context, checks);
    },
  },

  drill: {
    async restore(backup, options, drillId, context) {
      const { section } = backup;
      const target = await prepareDrillTarget(
        options.targetDatabaseUrl,
        { major: section.serverMajor ?? 0, database: section.database ?? backup.name, drillId },
        context,
      );
      try {
        const client = await resolvePostgresClient({
          purpose: 'restore',
          serverMajor: target.server.major,
          archiveMajor: section.clientMajor,
          sourceMajor: section.serverMajor,
          override: options.postgresClientVersion,
          context,
        });
        const restored = await restorePayload(backup.payloadPath, section, target.connection, client, options, context);
        return {
          connection: target.connection,
          server: target.server,
          description: target.description,
          versions: {
            'source server': section.serverVersion ?? '?',
            pg_dump: section.clientVersion ?? '?',
            'target server': target.server.version,
            [section.dumpFormat === 'globals-sql' ? 'psql' : 'pg_restore']: client.version,
          },
          notes: [...client.notes, `Restored into ${target.description}.`, ...(target.note ? [target.note] : []), ...restored.notes],
          checks: [restored.check],
          endpoint: { env: {} },
          cleanup: (keep) => target.cleanup(keep),
        };
      } catch (error) {
        await target.cleanup(options.keepDatabase);
        throw error;
      }
    },
    async automaticChecks(backup, target, context) {
      return target ? rowCountChecks(target.connection, backup.stats, context.env) : [];
    },
    checks: {
      form: '`{name, sql, expect}`',
      parse: parseSqlChecks,
      run: (target, checks) => runSqlChecks(target.connection, checks),
    },
  },

  restore: {
    option: 'target-database-url',
    selected: (options) => options.targetDatabaseUrl !== undefined,
    async prepare(options, context) {
      const target = resolveConnection(options.targetDatabaseUrl, context.env);
      const server = await readServerInfo(target, context.env);
      const existing = await listTables(target, context.env);
      if (existing.length > 0) {
        throw new RestoreTargetError(
          `Database ${target.database} on ${target.host}:${target.port} already holds ${existing.length} tables; restore refuses to mix a backup into existing data.`,
          'Create an empty database (`createdb`) and point `target-database-url` at it.',
        );
      }
      return {
        description: `${target.database} on ${target.host}:${target.port}`,
        async restore(backup) {
          const { section } = backup;
          const client = await resolvePostgresClient({
            purpose: 'restore',
            serverMajor: server.major,
            archiveMajor: section.clientMajor,
            sourceMajor: section.serverMajor,
            override: options.postgresClientVersion,
            context,
          });
          const restored = await restorePayload(backup.payloadPath, section, target, client, options, context);
          return { checks: [restored.check], notes: restored.notes };
        },
        checks: (backup) => rowCountChecks(target, backup.stats, context.env),
      };
    },
  },
};
