import type { RunContext } from '../../../context.js';
import { startEphemeralPostgres } from '../ephemeral/index.js';
import { describeError } from '../../../report/errors.js';
import { connectionForDatabase, resolveConnection, withConnection, type PostgresConnection } from '../connection.js';
import { listTables, readServerInfo, type ServerInfo } from '../server-info.js';
import { quoteIdent } from '../tables.js';
import { RestoreTargetError } from '../../../drill/errors.js';

/** The database a drill restores into, and how to tidy it away. */
export interface DrillTarget {
  /** Connection to the database to restore into. */
  readonly connection: PostgresConnection;
  readonly server: ServerInfo;
  /** For evidence: `scratch database lifeboat_drill_x on host:port`, `throwaway local PostgreSQL 15`. */
  readonly description: string;
  /** Why this target differs from what was asked (a newer major than the backup's). */
  readonly note?: string;
  /** Drops the scratch database or stops the throwaway server (unless kept). */
  cleanup(keep: boolean): Promise<void>;
}

/**
 * Prepares where a drill restores: with a target URL, a new scratch database on that server
 * (or, when the user may not create databases, the given database if it holds no tables);
 * without one, a throwaway server of the backup's major that Lifeboat starts itself.
 */
export async function prepareDrillTarget(
  targetUrl: string | undefined,
  wanted: { readonly major: number; readonly database: string; readonly drillId: string },
  context: RunContext,
): Promise<DrillTarget> {
  if (!targetUrl) return throwawayServer(wanted, context);
  const admin = resolveConnection(targetUrl, context.env);
  const scratch = `lifeboat_drill_${wanted.drillId.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
  const created = await withConnection(admin, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(scratch)}`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '42501') return false;
      throw new RestoreTargetError(
        `Could not create the scratch database ${scratch} on ${admin.host}:${admin.port}: ${describeError(error)}`,
        'Give `target-database-url` a user that may create databases (the `services: postgres` superuser can).',
      );
    }
  });
  if (!created) return givenDatabase(admin, context);
  const drop = () =>
    withConnection(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`)).then(
      () => undefined,
      (error: unknown) => context.reporter.warning(`Could not drop scratch database ${scratch}: ${describeError(error)}`),
    );
  const connection = connectionForDatabase(admin, scratch);
  let server: ServerInfo;
  try {
    server = await readServerInfo(connection, context.env);
  } catch (error) {
    // Nothing else knows about the scratch database yet: drop it here, or every failed drill leaves one.
    await drop();
    throw error;
  }
  return {
    connection,
    server,
    description: `scratch database ${scratch} on ${admin.host}:${admin.port} (PostgreSQL ${server.version})`,
    async cleanup(keep) {
      if (keep) {
        context.reporter.info(`Kept scratch database ${scratch} on ${admin.host}:${admin.port}.`);
        return;
      }
      await drop();
    },
  };
}

/** A user that may not create databases can still drill into an empty database it owns. */
async function givenDatabase(connection: PostgresConnection, context: RunContext): Promise<DrillTarget> {
  const tables = await listTables(connection, context.env);
  if (tables.length > 0) {
    throw new RestoreTargetError(
      `The drill user may not create databases, and database ${connection.database} on ${connection.host}:${connection.port} already holds ${tables.length} tables.`,
      'Point `target-database-url` at an empty database, or use a user that may create databases.',
    );
  }
  const server = await readServerInfo(connection, context.env);
  context.reporter.warning(`Restoring into the given database ${connection.database}: the drill user may not create a scratch database, so nothing is dropped afterwards.`);
  return {
    connection,
    server,
    description: `given database ${connection.database} on ${connection.host}:${connection.port} (PostgreSQL ${server.version})`,
    async cleanup() {},
  };
}

async function throwawayServer(wanted: { major: number; database: string }, context: RunContext): Promise<DrillTarget> {
  const server = await startEphemeralPostgres({
    major: wanted.major,
    tempDir: context.tempDir,
    reporter: context.reporter,
    signal: context.signal,
    env: context.env,
  });
  try {
    await server.createDatabase(wanted.database);
    const connection = resolveConnection(server.url(wanted.database), context.env);
    const info = await readServerInfo(connection, context.env);
    return {
      connection,
      server: info,
      description: `throwaway ${server.kind === 'docker' ? 'container' : 'local server'} PostgreSQL ${info.version}`,
      note: server.note,
      async cleanup(keep) {
        if (keep) context.reporter.info('keep-database has no effect on a throwaway server; it is stopped.');
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
