import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { describeRedis, type RedisConnection } from './connection.js';
import { RedisError, RedisProtocolError, RedisSnapshotCutError } from './errors.js';
import { connectionFailure, replyFailure } from './failures.js';
import { encodeCommand, ReplyBuffer, type Reply } from './resp.js';
import { openSocket } from './socket.js';

/** Length of the random delimiter that ends a diskless transfer (`$EOF:<40 bytes>`). */
const EOF_MARK_SIZE = 40;

/** How the snapshot came over the wire. */
export interface TransferFacts {
  /** RDB bytes received (framing removed). */
  readonly bytes: number;
  /** `bulk`: `$<length>` (the master saved to disk first); `eof-marker`: diskless, ended by a delimiter. */
  readonly framing: 'bulk' | 'eof-marker';
  /** The master honoured `REPLCONF rdb-only 1` (Redis 7+): no command stream follows the snapshot. */
  readonly rdbOnly: boolean;
}

/** A snapshot being received. */
export interface SnapshotTransfer {
  /** The RDB bytes, exactly as the master produced them; ends when the snapshot is complete (or failed). */
  readonly stream: Readable;
  /** Resolves once the whole snapshot arrived; rejects when it was refused, cut short or inspected as bad. */
  readonly done: Promise<TransferFacts>;
  /** Stops the transfer (closes the connection); safe to call more than once. */
  abort(reason?: Error): void;
}

export interface SnapshotOptions {
  readonly signal?: AbortSignal;
  /** Time to wait for a reply during the handshake; default 30 s. */
  readonly replyTimeoutMs?: number;
  /** Longest silence (while Lifeboat is reading) before the transfer counts as stalled; default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Sees every piece of the RDB before it goes downstream; throwing stops the transfer with that error. */
  readonly inspect?: (piece: Buffer) => void;
  readonly debug?: (message: string) => void;
}

/**
 * Asks a Redis server for its point-in-time snapshot over the replication protocol, as
 * `redis-cli --rdb` does: AUTH, `REPLCONF capa eof`, `REPLCONF rdb-only 1`, `SYNC`, then the
 * RDB as a `$<length>` bulk or, diskless, ended by a 40-byte delimiter. The bytes stream
 * with backpressure: the socket is paused while the reader is behind, so nothing is held
 * in memory or written to disk. Resolves once the transfer has started (the header line came).
 */
export async function requestSnapshot(connection: RedisConnection, options: SnapshotOptions = {}): Promise<SnapshotTransfer> {
  const socket = await openSocket(connection, { signal: options.signal, timeoutMs: options.replyTimeoutMs });
  const replies = new ReplyBuffer();
  let waiting: ((error?: Error) => void) | undefined;
  let closed: Error | undefined;
  const onData = (chunk: Buffer) => {
    try {
      replies.push(chunk);
    } catch (error) {
      closed = error as Error;
    }
    waiting?.();
  };
  const onClose = (error?: Error) => {
    closed ??= error ? connectionFailure(error, connection) : connectionFailure(Object.assign(new Error('closed'), { code: 'closed' }), connection);
    waiting?.();
  };
  const onError = (error: Error) => onClose(error);
  const onEnd = () => onClose();
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.on('close', onEnd);

  /** Waits until `take` returns something, the connection closes, or the timeout passes. */
  const until = <T>(take: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        try {
          const value = take();
          if (value !== undefined) {
            finish();
            resolve(value);
            return true;
          }
        } catch (error) {
          finish();
          reject(error);
          return true;
        }
        if (closed) {
          finish();
          reject(closed);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new RedisProtocolError(`${describeRedis(connection)} did not answer ${what} within ${Math.round(timeoutMs / 1000)} s.`, 'Check the server (is it busy or blocked?) and retry.'));
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(options.signal!.reason);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      function finish() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        waiting = undefined;
      }
      if (!attempt()) waiting = () => void attempt();
    });

  const replyTimeout = options.replyTimeoutMs ?? 30_000;
  const command = async (args: string[], label: string): Promise<Reply> => {
    socket.write(encodeCommand(args));
    return until(() => replies.next(), label, replyTimeout);
  };

  let rdbOnly = false;
  let header: string;
  try {
    if (connection.password !== undefined) {
      const auth = await command(connection.username ? ['AUTH', connection.username, connection.password] : ['AUTH', connection.password], 'AUTH');
      if (auth.kind === 'error') throw replyFailure(auth.text, connection, 'auth');
    }
    const capa = await command(['REPLCONF', 'capa', 'eof'], 'REPLCONF');
    if (capa.kind === 'error') throw replyFailure(capa.text, connection, 'replication');
    const only = await command(['REPLCONF', 'rdb-only', '1'], 'REPLCONF');
    if (only.kind === 'error') {
      // Servers before 7.0 do not know rdb-only; they send the command stream after the snapshot, which is ignored.
      if (!/unrecognized replconf option/i.test(only.text)) throw replyFailure(only.text, connection, 'replication');
    } else rdbOnly = true;
    socket.write('SYNC\r\n');
    // The master forks (and, diskless, waits repl-diskless-sync-delay) before the header; it sends newlines meanwhile.
    header = await until(
      () => {
        const line = replies.line();
        if (line === undefined || !line.startsWith('+FULLRESYNC')) return line;
        return replies.line() ?? undefined;
      },
      'SYNC',
      options.idleTimeoutMs ?? 120_000,
    );
    if (header.startsWith('-')) throw replyFailure(header, connection, 'replication');
    if (!header.startsWith('$')) {
      throw new RedisProtocolError(`${describeRedis(connection)} answered SYNC with ${JSON.stringify(header.slice(0, 60))}, not a snapshot.`, 'Check that the URL points at a Redis server.');
    }
  } catch (error) {
    socket.destroy();
    throw error instanceof RedisError ? error : connectionFailure(error, connection);
  } finally {
    // Paused until the receiver listens: no byte may be dropped in between.
    socket.pause();
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
  }

  const framing: TransferFacts['framing'] = header.startsWith('$EOF:') ? 'eof-marker' : 'bulk';
  const mark = framing === 'eof-marker' ? Buffer.from(header.slice(5, 5 + EOF_MARK_SIZE), 'latin1') : undefined;
  const length = framing === 'bulk' ? Number(header.slice(1)) : undefined;
  if (mark && mark.length !== EOF_MARK_SIZE) {
    // Its listeners are gone: a socket left open here would raise its next error unhandled.
    socket.destroy();
    throw new RedisProtocolError(`${describeRedis(connection)} sent a malformed snapshot delimiter.`);
  }
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    socket.destroy();
    throw new RedisProtocolError(`${describeRedis(connection)} announced a snapshot of ${JSON.stringify(header.slice(1, 40))} bytes.`);
  }
  options.debug?.(`${describeRedis(connection)} is sending its snapshot (${framing === 'bulk' ? `${length} bytes` : 'diskless, until the delimiter'}${rdbOnly ? '' : ', with the command stream after it'}).`);
  return receive(socket, connection, { framing, mark, length, rdbOnly, first: replies.rest(), options });
}

interface Receiving {
  framing: TransferFacts['framing'];
  mark: Buffer | undefined;
  length: number | undefined;
  rdbOnly: boolean;
  first: Buffer;
  options: SnapshotOptions;
}

function receive(socket: Socket | TLSSocket, connection: RedisConnection, plan: Receiving): SnapshotTransfer {
  const { options } = plan;
  const idleMs = options.idleTimeoutMs ?? 120_000;
  let bytes = 0;
  let remaining = plan.length ?? Number.POSITIVE_INFINITY;
  let tail: Buffer = Buffer.alloc(0);
  let settled = false;
  let resolveDone!: (facts: TransferFacts) => void;
  let rejectDone!: (error: Error) => void;
  const done = new Promise<TransferFacts>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});

  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (settled) return;
      socket.setTimeout(idleMs);
      socket.resume();
    },
  });

  const finish = (error?: Error) => {
    if (settled) return;
    settled = true;
    socket.setTimeout(0);
    socket.removeAllListeners('data');
    socket.destroy();
    options.signal?.removeEventListener('abort', onAbort);
    // The stream ends cleanly either way: the failure arrives once, through `done`.
    stream.push(null);
    if (error) rejectDone(error);
    else resolveDone({ bytes, framing: plan.framing, rdbOnly: plan.rdbOnly });
  };

  const emit = (piece: Buffer): boolean => {
    if (piece.length === 0) return true;
    try {
      options.inspect?.(piece);
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
    bytes += piece.length;
    return stream.push(piece);
  };

  const onChunk = (chunk: Buffer) => {
    if (settled) return;
    let more = true;
    if (plan.framing === 'bulk') {
      const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= piece.length;
      more = emit(piece);
      if (!settled && remaining === 0) finish();
    } else {
      // Hold back the last 40 bytes: they may be the delimiter.
      if (chunk.length >= EOF_MARK_SIZE) {
        const first = emit(tail);
        more = (settled ? false : emit(chunk.subarray(0, chunk.length - EOF_MARK_SIZE))) && first;
        tail = Buffer.from(chunk.subarray(chunk.length - EOF_MARK_SIZE));
      } else {
        const joined = Buffer.concat([tail, chunk]);
        if (joined.length > EOF_MARK_SIZE) more = emit(joined.subarray(0, joined.length - EOF_MARK_SIZE));
        tail = joined.length > EOF_MARK_SIZE ? Buffer.from(joined.subarray(joined.length - EOF_MARK_SIZE)) : joined;
      }
      if (!settled && tail.length === EOF_MARK_SIZE && tail.equals(plan.mark!)) finish();
    }
    if (!more && !settled) {
      // Backpressure: stop reading the socket (the master then waits) until the reader asks for more.
      socket.setTimeout(0);
      socket.pause();
    }
  };

  const cut = (error?: Error) => {
    if (settled) return;
    const detail = error ? ` (${error.message})` : '';
    finish(
      new RedisSnapshotCutError(
        `${describeRedis(connection)} closed the replication connection after ${bytes} bytes of the snapshot${plan.length !== undefined ? ` (of ${plan.length})` : ''}${detail}.`,
        'The master drops a replica that is too slow: raise `client-output-buffer-limit replica` and `repl-timeout` on the server (or back up from a replica), check the server log for a restart, and retry',
        error ? { cause: error } : undefined,
      ),
    );
  };
  const onAbort = () => finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error('The snapshot transfer was stopped.'));

  socket.on('data', onChunk);
  socket.on('error', cut);
  socket.on('end', () => cut());
  socket.on('close', () => cut());
  socket.on('timeout', () =>
    finish(
      new RedisSnapshotCutError(
        `${describeRedis(connection)} sent nothing for ${Math.round(idleMs / 1000)} s in the middle of the snapshot (after ${bytes} bytes).`,
        'Check the server (a stuck fork, a full disk for a disk-based transfer) and the network, and retry',
      ),
    ),
  );
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  socket.setTimeout(idleMs);
  if (plan.first.length > 0) onChunk(plan.first);
  if (!settled) socket.resume();

  return {
    stream,
    done,
    abort(reason?: Error) {
      finish(reason ?? new Error('The snapshot transfer was stopped.'));
    },
  };
}
