import { createServer } from 'node:net';
import type pg from 'pg';
import { loadPg } from '../pg-module.js';
import { majorFromVersionNum } from '../../../toolchain/version.js';

/** Where a throwaway server listens and how to log in. */
export interface ServerLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(login: ServerLogin, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const { Client } = await loadPg();
  const client = new Client({ ...login, database, connectionTimeoutMillis: 10_000, application_name: 'lifeboat' });
  client.on('error', () => {}); // A server going away mid-call rejects the call itself; this keeps it from crashing the process.
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** `CREATE DATABASE` with the name quoted as an identifier. */
export async function createDatabaseOn(login: ServerLogin, name: string): Promise<void> {
  await withClient(login, 'postgres', (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
}

/** How waiting for a server ended. */
export type Readiness =
  | { readonly ready: true; readonly version: string; readonly major: number }
  | { readonly ready: false; readonly why: 'gone' | 'timeout' | 'aborted'; readonly detail: string };

/** What `waitForServer` needs besides the login. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Says why the server can no longer come up (it exited), or undefined while it still may. */
  readonly gone: () => Promise<string | undefined> | string | undefined;
  readonly intervalMs?: number;
}

/**
 * Connects until the server answers a query, it is gone, the signal aborts or the time is
 * up. A connection is the only readiness test that covers password auth and TCP.
 */
export async function waitForServer(login: ServerLogin, options: WaitOptions): Promise<Readiness> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no connection attempt yet';
  for (;;) {
    if (options.signal?.aborted) return { ready: false, why: 'aborted', detail: last };
    const gone = await options.gone();
    if (gone !== undefined) return { ready: false, why: 'gone', detail: gone };
    try {
      const row = await withClient(login, 'postgres', async (client) => {
        const result = await client.query<{ v: string; n: string }>(
          "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
        );
        return result.rows[0]!;
      });
      return { ready: true, version: row.v, major: majorFromVersionNum(Number(row.n)) };
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) return { ready: false, why: 'timeout', detail: last };
    await new Promise((done) => setTimeout(done, options.intervalMs ?? 100));
  }
}

/** A TCP port free on loopback right now (another process may still take it before use). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no free port'))));
    });
  });
}
