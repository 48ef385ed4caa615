import type { CheckResult } from '../../../catalog/drill-record.js';
import { redact } from '../../../report/secrets.js';
import { withConnection, type PostgresConnection } from '../connection.js';
import { judgeSqlCheck, type SqlCheck } from './sql-checks.js';

/** Longest a single operator check may run. */
const CHECK_TIMEOUT = '5min';

/**
 * Runs operator checks on the restored database, each in its own read-only transaction that is
 * rolled back, so a check can never change what the next one sees. A failing query fails its
 * check with the server's message; it does not stop the others.
 */
export async function runSqlChecks(connection: PostgresConnection, checks: readonly SqlCheck[]): Promise<CheckResult[]> {
  if (checks.length === 0) return [];
  return withConnection(connection, async (client) => {
    const results: CheckResult[] = [];
    for (const check of checks) {
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(`SET LOCAL statement_timeout = '${CHECK_TIMEOUT}'`);
        const result = await client.query<unknown[]>({ text: check.sql, rowMode: 'array' });
        results.push(judgeSqlCheck(check, result.rows));
      } catch (error) {
        results.push({
          name: check.name,
          kind: 'sql',
          ok: false,
          expected: check.expectText,
          actual: 'error',
          message: redact((error as Error).message),
        });
      } finally {
        await client.query('ROLLBACK').catch(() => {});
      }
    }
    return results;
  });
}
