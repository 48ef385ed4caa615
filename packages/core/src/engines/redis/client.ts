import type * as RedisClientModule from '@redis/client';
import { describeRedis, type RedisConnection } from './connection.js';
import { RedisError } from './errors.js';
import { connectionFailure, replyFailure } from './failures.js';
import { tlsOptionsOf } from './socket.js';

/** A command connection (the `@redis/client` library, confined to this file). */
export interface CommandClient {
  readonly connection: RedisConnection;
  /** Sends one command; replies come as text (bulk strings as strings). Concurrent calls are pipelined. */
  send(args: readonly (string | Buffer)[]): Promise<unknown>;
  /** Sends one command; bulk strings come back as Buffers (DUMP payloads, binary keys). */
  sendBuffers(args: readonly (string | Buffer)[]): Promise<unknown>;
  close(): Promise<void>;
}

// Loaded on first use: runs of other engines never pay for it (about 27 MiB of memory).
let redisModule: typeof RedisClientModule | undefined;

/**
 * Connects and logs in (AUTH with the URL's user and password). A refused login, an
 * unreachable host or a TLS failure comes back as the Redis error that names the fix.
 */
export async function connectClient(connection: RedisConnection, options: { connectTimeoutMs?: number } = {}): Promise<CommandClient> {
  redisModule ??= await import('@redis/client');
  const { createClient, ErrorReply, RESP_TYPES } = redisModule;
  const socketBase = { host: connection.host, port: connection.port, reconnectStrategy: false as const, connectTimeout: options.connectTimeoutMs ?? 30_000 };
  const client = createClient({
    socket: connection.tls ? { ...socketBase, tls: true as const, ...tlsOptionsOf(connection) } : socketBase,
    username: connection.username,
    password: connection.password,
    // RESP2: what every server since 2.x speaks; HELLO would fail on servers before 6.
    RESP: 2,
    disableClientInfo: true,
  });
  // Failures reach the awaiting call; without a listener they would also crash the process.
  let lastSocketError: unknown;
  client.on('error', (error: unknown) => (lastSocketError = error));
  try {
    await client.connect();
  } catch (error) {
    await client.destroy?.();
    throw classify(error instanceof ErrorReply ? error : (lastSocketError ?? error), connection, 'auth');
  }
  const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const wrap = async (send: () => Promise<unknown>, args: readonly (string | Buffer)[]) => {
    try {
      return await send();
    } catch (error) {
      throw classify(error, connection, 'command', String(args[0]).toUpperCase());
    }
  };
  return {
    connection,
    send: (args) => wrap(() => client.sendCommand(args as (string | Buffer)[]), args),
    sendBuffers: (args) => wrap(() => buffers.sendCommand(args as (string | Buffer)[]), args),
    async close() {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(connection: RedisConnection, fn: (client: CommandClient) => Promise<T>): Promise<T> {
  const client = await connectClient(connection);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** True when the error is the server's reply (not a connection problem). */
export function isErrorReply(error: unknown): error is Error {
  // No reply error can exist before the client module was loaded.
  return redisModule !== undefined && error instanceof redisModule.ErrorReply;
}

function classify(error: unknown, connection: RedisConnection, context: 'auth' | 'command', command?: string): RedisError {
  if (error instanceof RedisError) return error;
  if (isErrorReply(error)) return replyFailure(error.message, connection, context, command);
  const cause = (error as { cause?: unknown })?.cause;
  const named = `${(error as { name?: string })?.name ?? ''} ${(error as object)?.constructor?.name ?? ''} ${(error as Error)?.message ?? ''}`;
  if (/ConnectionTimeout|Connection timeout/i.test(named)) return connectionFailure(Object.assign(new Error('connect timeout'), { code: 'connect-timeout' }), connection);
  if (/SocketClosedUnexpectedly/.test(named)) return connectionFailure(cause ?? Object.assign(new Error('closed'), { code: 'closed' }), connection);
  if ((error as { code?: string })?.code === undefined && cause) return connectionFailure(cause, connection);
  const classified = connectionFailure(error, connection);
  return classified.message.startsWith('Could not talk') ? new RedisError('redis-failed', `${describeRedis(connection)}: ${(error as Error)?.message ?? String(error)}`, undefined, { cause: error }) : classified;
}
