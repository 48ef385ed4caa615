import type { RunContext } from '../../context.js';
import type { BackupOptions } from '../../options/backup.js';
import type { Checks } from '../../preflight/checks.js';
import { OptionError } from '../../report/errors.js';
import { resolvePostgresClient, type ResolvedClient } from '../../toolchain/resolve.js';
import { connectionForDatabase, describeConnection, resolveConnection, withConnection, type PostgresConnection } from './connection.js';
import { postgresDumpSettings } from './from-options.js';
import { hasEveryPrivilege, PrivilegesMissingError, readPrivilegeFacts } from './privileges.js';
import { readServerInfo, resolveDatabases, type ServerInfo } from './server-info.js';

/** The PostgreSQL side of a backup, checked: where to connect, the server, the pg_dump that fits it, the databases. */
export interface CheckedPostgresSource {
  readonly connection: PostgresConnection;
  readonly server: ServerInfo;
  readonly client: ResolvedClient;
  readonly databases: readonly string[];
}

/**
 * The source's preflight rows, reading no data: the server answers (`source`), a pg_dump of
 * its major is found (`pg_dump`), the databases exist (`databases`), and the role may read
 * everything in scope (`privileges <db>`, with the GRANTs it lacks). Undefined when one failed.
 */
export async function checkPostgresSource(options: BackupOptions, context: RunContext, checks: Checks): Promise<CheckedPostgresSource | undefined> {
  const reached = await checks.run('source', async () => {
    const connection = resolveConnection(options.databaseUrl, context.env);
    const server = await readServerInfo(connection, context.env);
    return { value: { connection, server }, detail: `PostgreSQL ${server.version} at ${describeConnection(connection)}.` };
  });
  const client = reached
    ? await checks.run('pg_dump', async () => {
        const found = await resolvePostgresClient({ purpose: 'dump', serverMajor: reached.server.major, override: options.postgresClientVersion, context });
        return { value: found, detail: `pg_dump ${found.version} (${found.binDir}) for the PostgreSQL ${reached.server.major} server.` };
      })
    : (checks.skip('pg_dump', 'Needs the server version: the source could not be reached.'), undefined);
  const databases = reached
    ? await checks.run('databases', async () => {
        const names = await resolveDatabases(reached.connection, options.databases, context.env);
        if (options.name && names.length > 1) {
          throw new OptionError(
            `\`name\` (${options.name}) names one backup, but ${names.length} databases are to be backed up.`,
            'Leave `name` empty: each database is then backed up under its own name.',
          );
        }
        return { value: names, detail: `${names.join(', ')}.` };
      })
    : undefined;

  if (!reached || !databases) {
    checks.skip('privileges', 'Needs the source and its databases.');
  } else {
    const { filters } = postgresDumpSettings(options, { connection: reached.connection });
    for (const database of databases) {
      await checks.run(`privileges ${database}`, async () => {
        const facts = await withConnection(connectionForDatabase(reached.connection, database), (c) => readPrivilegeFacts(c, filters ?? {}));
        if (!hasEveryPrivilege(facts)) throw new PrivilegesMissingError(facts);
        return { value: true, detail: `Role ${facts.role} may read every table (${facts.scope.tables}) and sequence (${facts.scope.sequences}) in scope${facts.scope.largeObjects ? ' and the large objects' : ''}.` };
      });
    }
  }

  return reached && client && databases ? { connection: reached.connection, server: reached.server, client, databases } : undefined;
}
