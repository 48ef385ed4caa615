import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { RedisConnection } from './connection.js';
import { RedisError, RedisProtocolError } from './errors.js';
import { connectionFailure, replyFailure } from './failures.js';
import { encodeCommands, ReplyBuffer, type Reply } from './resp.js';
import { openSocket } from './socket.js';

/** A command connection: Lifeboat's own RESP2 client (see `connectClient`). */
export interface CommandClient {
  readonly connection: RedisConnection;
  /** Sends one command; replies come as text (bulk strings as strings). Concurrent calls are pipelined. */
  send(args: readonly (string | Buffer)[]): Promise<unknown>;
  /** Sends one command; bulk strings come back as Buffers (DUMP payloads, binary keys). */
  sendBuffers(args: readonly (string | Buffer)[]): Promise<unknown>;
  /**
   * Sends the commands in one write and resolves with all their replies (bulk strings as
   * Buffers that view the bytes received: use them before the next call) once every reply
   * arrived; rejects with the first error reply.
   */
  pipeline(commands: readonly (readonly (string | Buffer)[])[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Errors made from the server's own error reply (not from the connection). */
const fromReply = new WeakSet<Error>();

/**
 * Connects and logs in (AUTH with the URL's user and password). A refused login, an
 * unreachable host or a TLS failure comes back as the Redis error that names the fix.
 *
 * RESP2 over the socket `openSocket` opens (what every server since 2.x speaks): each call
 * writes its command at once, calls made in the same tick leave in one write, and replies
 * are matched to calls in order. Written here rather than taken from a client library
 * because keys mode sends two commands per key: the library's per-command objects grew
 * the heap to about 300 MiB on a 1 GiB keyspace, and loading it cost 27 MiB more.
 */
export async function connectClient(connection: RedisConnection, options: { connectTimeoutMs?: number } = {}): Promise<CommandClient> {
  const socket = await openSocket(connection, { timeoutMs: options.connectTimeoutMs });
  const wire = new Wire(socket, connection);
  if (connection.password !== undefined) {
    const args = connection.username ? ['AUTH', connection.username, connection.password] : ['AUTH', connection.password];
    let reply: Reply;
    try {
      reply = await wire.call(args);
    } catch (error) {
      wire.destroy();
      throw error;
    }
    if (reply.kind === 'error') {
      wire.destroy();
      throw replyFailure(reply.text, connection, 'auth');
    }
  }
  const send = async (args: readonly (string | Buffer)[], bulk: Bulk) => decode(await wire.call(args), bulk, connection, args);
  return {
    connection,
    send: (args) => send(args, 'text'),
    sendBuffers: (args) => send(args, 'copy'),
    async pipeline(commands) {
      const replies = await wire.callAll(commands);
      return replies.map((reply, i) => decode(reply, 'view', connection, commands[i]!));
    },
    close: () => wire.close(),
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
  return error instanceof Error && fromReply.has(error);
}

/** Bulk strings as text, as Buffers of their own, or as views into the bytes received. */
type Bulk = 'text' | 'copy' | 'view';

/** A reply as JavaScript values: numbers, strings (or Buffers), null, arrays; an error reply throws. */
function decode(reply: Reply, bulk: Bulk, connection: RedisConnection, args: readonly (string | Buffer)[]): unknown {
  switch (reply.kind) {
    case 'simple':
      return reply.text;
    case 'integer':
      return reply.value;
    case 'bulk':
      return reply.value === null ? null : bulk === 'text' ? reply.value.toString('utf8') : bulk === 'copy' ? Buffer.from(reply.value) : reply.value;
    case 'array':
      return reply.items === null ? null : reply.items.map((item) => decode(item, bulk, connection, args));
    case 'error': {
      const error = replyFailure(reply.text, connection, 'command', String(args[0]).toUpperCase());
      fromReply.add(error);
      throw error;
    }
  }
}

/** A caller waiting for `count` replies (one, or a pipelined batch's). */
interface Waiter {
  readonly count: number;
  readonly replies: Reply[];
  resolve(replies: Reply[]): void;
  reject(error: Error): void;
}

/** One socket: commands out, replies matched to their callers in order. */
class Wire {
  // Bulk strings as views: `send` turns them into strings or hands them to the caller at once.
  private readonly replies = new ReplyBuffer(Number.POSITIVE_INFINITY, false);
  private waiting: Waiter[] = [];
  private head = 0;
  private failed: Error | undefined;
  private corked = false;
  private onIdle: (() => void) | undefined;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket | TLSSocket,
    connection: RedisConnection,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: Error) => this.fail(connectionFailure(error, connection)));
    socket.on('close', () => this.fail(connectionFailure(Object.assign(new Error('closed'), { code: 'closed' }), connection)));
  }

  async call(args: readonly (string | Buffer)[]): Promise<Reply> {
    const [reply] = await this.callAll([args]);
    return reply!;
  }

  callAll(commands: readonly (readonly (string | Buffer)[])[]): Promise<Reply[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ count: commands.length, replies: [], resolve, reject });
      if (!this.corked) {
        // Calls made in this tick (a pipelined batch) leave in one write.
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(encodeCommands(commands));
    });
  }

  /** Waits for the replies still due, then closes the connection. */
  async close(): Promise<void> {
    if (!this.failed && this.head < this.waiting.length) await new Promise<void>((done) => (this.onIdle = done));
    this.failed ??= new RedisError('redis-closed', 'The Redis connection was closed.');
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 1000);
    await this.closed;
    clearTimeout(timer);
  }

  destroy(): void {
    this.failed ??= new RedisError('redis-closed', 'The Redis connection was closed.');
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      this.replies.push(chunk);
      for (let reply = this.replies.next(); reply !== undefined; reply = this.replies.next()) {
        const waiter = this.waiting[this.head];
        if (!waiter) throw new RedisProtocolError('The server sent a reply to no command.', 'Check that the URL points at a Redis server.');
        waiter.replies.push(reply);
        if (waiter.replies.length < waiter.count) continue;
        this.waiting[this.head++] = undefined as unknown as Waiter;
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
          this.waiting = this.waiting.slice(this.head);
          this.head = 0;
        }
        waiter.resolve(waiter.replies);
      }
      if (this.head === this.waiting.length) this.idle();
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
  }

  private fail(error: Error): void {
    this.failed ??= error;
    const pending = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const waiter of pending) waiter.reject(this.failed);
    this.idle();
  }

  private idle(): void {
    const done = this.onIdle;
    this.onIdle = undefined;
    done?.();
  }
}
