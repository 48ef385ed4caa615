import type pg from 'pg';
import { withConnection, type PostgresConnection } from '../connection.js';

/**
 * Runs one statement in a read-only transaction that is rolled back (the extended protocol
 * refuses several statements) and returns the first column of every row as text: the keys
 * a stack's cross-asset check looks up in another member.
 */
export async function queryKeys(connection: PostgresConnection, sql: string): Promise<string[]> {
  return withConnection(connection, async (client) => {
    await client.query('BEGIN READ ONLY');
    try {
      await client.query(`SET LOCAL statement_timeout = '5min'`);
      const query: pg.QueryArrayConfig & { queryMode: 'extended' } = { text: sql, rowMode: 'array', queryMode: 'extended' };
      const result = await client.query<unknown[]>(query);
      return result.rows.filter((row) => row[0] !== null && row[0] !== undefined).map((row) => String(row[0]));
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  });
}
