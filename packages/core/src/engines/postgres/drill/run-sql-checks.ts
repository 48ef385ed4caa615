import type pg from 'pg';
import type { CheckResult } from '../../../catalog/drill-record.js';
import { describeError } from '../../../report/errors.js';
import { redact } from '../../../report/secrets.js';
import { createTemporaryRole, dropTemporaryRole, isSuperuser, type TemporaryRole } from '../restore/temporary-role.js';
import { connect, withConnection, type PostgresConnection } from '../connection.js';
import { quoteIdent } from '../tables.js';
import { judgeSqlCheck, type SqlCheck } from './sql-checks.js';

/** Longest a single operator check may run. */
const CHECK_TIMEOUT = '5min';

/** The results of the operator checks, and how they were run when that differs from the rule. */
export interface SqlCheckRun {
  readonly results: CheckResult[];
  readonly notes: string[];
}

/**
 * Runs operator checks on the restored database as a role made for them that can only read,
 * each in its own read-only transaction that is rolled back, and each through the extended
 * query protocol, which runs exactly one statement. A failing query fails its check with the
 * server's message; it does not stop the others.
 */
export async function runSqlChecks(connection: PostgresConnection, checks: readonly SqlCheck[]): Promise<SqlCheckRun> {
  if (checks.length === 0) return { results: [], notes: [] };
  const notes: string[] = [];
  let reader: TemporaryRole | undefined;
  try {
    reader = await createReader(connection);
  } catch (error) {
    notes.push(`The checks ran as ${connection.user} in read-only transactions: a role that can only read could not be created (${describeError(error)}).`);
  }
  try {
    let client: pg.Client | undefined;
    if (reader) {
      client = await connect(reader.connection).catch((error: unknown) => {
        notes.push(`The checks ran as ${connection.user} in read-only transactions: the server refused a login as the read-only role ${reader!.name} (${describeError(error)}).`);
        return undefined;
      });
    }
    client ??= await connect(connection);
    try {
      return { results: await runEach(client, checks), notes };
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    if (reader) await dropTemporaryRole(connection, reader).catch((error: unknown) => notes.push(`Could not drop the checks role ${reader!.name}: ${describeError(error)}`));
  }
}

async function runEach(client: pg.Client, checks: readonly SqlCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = '${CHECK_TIMEOUT}'`);
      // node-postgres sends `queryMode: 'extended'` as Parse/Bind/Execute, which the server refuses for several statements.
      const query: pg.QueryArrayConfig & { queryMode: 'extended' } = { text: check.sql, rowMode: 'array', queryMode: 'extended' };
      const result = await client.query<unknown[]>(query);
      results.push(judgeSqlCheck(check, result.rows));
    } catch (error) {
      results.push({ name: check.name, kind: 'sql', ok: false, expected: check.expectText, actual: 'error', message: redact((error as Error).message) });
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  }
  return results;
}

/** A login role that may read every table and sequence of the restored schemas and write nothing. */
async function createReader(admin: PostgresConnection): Promise<TemporaryRole> {
  // Only a superuser may hand out BYPASSRLS; without it, row-level security filters what checks see.
  const role = await createTemporaryRole(admin, 'lifeboat_checks', (await isSuperuser(admin)) ? ['BYPASSRLS', 'NOINHERIT'] : ['NOINHERIT']);
  try {
    await withConnection(admin, async (client) => {
      const { rows } = await client.query<{ nspname: string }>(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'",
      );
      for (const { nspname } of rows) {
        const schema = quoteIdent(nspname);
        await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${quoteIdent(role.name)}`);
        await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${quoteIdent(role.name)}`);
        await client.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${quoteIdent(role.name)}`);
      }
    });
  } catch (error) {
    await dropTemporaryRole(admin, role).catch(() => {});
    throw error;
  }
  return role;
}
