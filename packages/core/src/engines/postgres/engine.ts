import { RestoreTargetError } from '../../drill/errors.js';
import { OptionError } from '../../report/errors.js';
import { checkPostgresSource } from './preflight.js';
import { resolvePostgresClient } from '../../toolchain/resolve.js';
import type { Engine, PlannedBackup } from '../engine.js';
import type { RestoredTarget } from '../restored-target.js';
import { connectionForDatabase, connectionUrl, resolveConnection, type PostgresConnection } from './connection.js';
import { restorePayload } from './drill/restore-payload.js';
import { runSqlChecks } from './drill/run-sql-checks.js';
import { parseSqlChecks, type SqlCheck } from './drill/sql-checks.js';
import { rowCountChecks } from './drill/table-checks.js';
import { prepareDrillTarget } from './drill/target.js';
import { postgresDumpSettings, postgresGlobalsSettings } from './from-options.js';
import { createPostgresGlobalsSource } from './globals.js';
import { postgresSectionSchema, type PostgresSection } from './manifest.js';
import { readServerInfo, resolveDatabases, type ServerInfo } from './server-info.js';
import { schemaChecks } from './drill/schema-checks.js';
import type { ArchiveContents } from './restore/archive-toc.js';
import { prepareRestoreIdentity, releaseRestoreIdentity, type RestoreIdentity } from './restore/restore-role.js';
import { describeUserObjects, listUserObjects } from './restore/user-objects.js';
import { createPostgresSource } from './source.js';
import { queryKeys } from './stack/key-query.js';
import { breakGlass } from './break-glass.js';
import { streamZstd } from './restore/stream-payload.js';

/** A database a PostgreSQL drill restored into. */
export interface PostgresRestoredTarget extends RestoredTarget {
  readonly connection: PostgresConnection;
  readonly server: ServerInfo;
  /** What the archive's table of contents says the restore made (none for a globals script). */
  readonly contents?: ArchiveContents;
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
  payloadZstd: streamZstd,

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
      const globals = section.dumpFormat === 'globals-sql';
      if (globals && options.targetDatabaseUrl) {
        throw new RestoreTargetError(
          `Backup ${backup.name} holds roles and tablespaces (a globals backup). Roles belong to the whole server, not to a database: restoring them through \`target-database-url\` would change the roles of ${describeServer(options.targetDatabaseUrl, context.env)}, which no scratch database isolates.`,
          'Drill globals backups without `target-database-url`: Lifeboat then restores them into a throwaway server it starts and removes itself.',
        );
      }
      const target = await prepareDrillTarget(
        options.targetDatabaseUrl,
        {
          major: section.serverMajor ?? 0,
          database: section.database ?? backup.name,
          drillId,
          restore: { asSuperuser: options.restoreAsSuperuser, owners: options.restoreOwners },
        },
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
        // Roles are made as the target's user; an archive is restored as a role that is no superuser.
        const restored = await restorePayload(backup.payloadPath, section, { admin: target.connection, restorer: target.restorer.connection }, client, options, context);
        return {
          connection: target.connection,
          server: target.server,
          ...(restored.contents ? { contents: restored.contents } : {}),
          description: target.description,
          versions: {
            'source server': section.serverVersion ?? '?',
            pg_dump: section.clientVersion ?? '?',
            'target server': target.server.version,
            [section.dumpFormat === 'globals-sql' ? 'psql' : 'pg_restore']: client.version,
          },
          notes: [
            ...client.notes,
            `Restored into ${target.description}.`,
            ...(target.note ? [target.note] : []),
            ...(globals ? [] : [`pg_restore ran ${target.restorer.description}.`]),
            ...restored.notes,
          ],
          checks: [restored.check],
          endpoint: { url: connectionUrl(target.connection), env: { DATABASE_URL: connectionUrl(target.connection) } },
          cleanup: (keep) => target.cleanup(keep),
        };
      } catch (error) {
        await target.cleanup(options.keepDatabase);
        throw error;
      }
    },
    async automaticChecks(backup, target, context) {
      if (!target) return [];
      return [...(target.contents ? await schemaChecks(target.connection, target.contents, context.env) : []), ...(await rowCountChecks(target.connection, backup.stats, context.env))];
    },
    checks: {
      form: '`{name, sql, expect}`',
      parse: parseSqlChecks,
      async run(target, checks, context) {
        const run = await runSqlChecks(target.connection, checks);
        for (const note of run.notes) context.reporter.warning(note);
        return run.results;
      },
    },
  },

  stack: {
    keyQuery: { field: 'sql', run: (target, sql) => queryKeys(target.connection, sql) },
  },

  breakGlass,

  restore: {
    option: 'target-database-url',
    selected: (options) => options.targetDatabaseUrl !== undefined,
    async prepare(options, context) {
      const target = resolveConnection(options.targetDatabaseUrl, context.env);
      const server = await readServerInfo(target, context.env);
      const existing = await listUserObjects(target, context.env);
      if (existing.length > 0) {
        throw new RestoreTargetError(
          `Database ${target.database} on ${target.host}:${target.port} already holds ${describeUserObjects(existing)}; restore refuses to mix a backup into existing data.`,
          'Create an empty database (`createdb`) and point `target-database-url` at it.',
        );
      }
      let contents: ArchiveContents | undefined;
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
          // Roles are made as the target's user; an archive is restored as a role that is no superuser.
          let identity: RestoreIdentity | undefined;
          try {
            identity = section.dumpFormat === 'globals-sql' ? undefined : await prepareRestoreIdentity(target, { asSuperuser: options.restoreAsSuperuser, owners: options.restoreOwners });
            if (identity) context.reporter.info(`pg_restore runs ${identity.description}.`);
            const restored = await restorePayload(backup.payloadPath, section, { admin: target, restorer: identity?.connection ?? target }, client, options, context);
            contents = restored.contents;
            return { checks: [restored.check], notes: restored.notes };
          } finally {
            if (identity) await releaseRestoreIdentity(target, identity);
          }
        },
        checks: async (backup) => [...(contents ? await schemaChecks(target, contents, context.env) : []), ...(await rowCountChecks(target, backup.stats, context.env))],
      };
    },
  },
};

function describeServer(url: string, env: Record<string, string | undefined>): string {
  try {
    const connection = resolveConnection(url, env);
    return `the server at ${connection.host}:${connection.port}`;
  } catch {
    return 'that server';
  }
}
