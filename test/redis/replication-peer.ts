/**
 * A protocol-level stand-in for a Redis master, for the failures no real server produces on
 * demand (a snapshot that is complete on the wire but whose RDB ends short or is damaged).
 * It speaks the replication handshake as Redis documents it: AUTH and REPLCONF get +OK, SYNC
 * gets the snapshot in the framing chosen (`$<length>` bulk or `$EOF:<40 bytes>` diskless).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ReplyBuffer } from '../../packages/core/src/engines/redis/resp.js';

export interface PeerScript {
  /** The RDB bytes to send for SYNC. */
  readonly rdb: Buffer;
  readonly framing: 'bulk' | 'eof-marker';
  /** Close the connection after this many payload bytes (a cut transfer). */
  readonly closeAfter?: number;
}

export interface ReplicationPeer {
  readonly port: number;
  readonly commands: string[];
  close(): Promise<void>;
}

/** Starts the stand-in on a free loopback port. */
export async function startReplicationPeer(script: PeerScript): Promise<ReplicationPeer> {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const buffer = new ReplyBuffer();
    socket.on('data', (chunk: Buffer) => {
      buffer.push(chunk);
      for (;;) {
        const peek = buffer.rest();
        if (peek.length === 0) break;
        if (peek[0] === 0x2a) {
          buffer.push(peek);
          const reply = buffer.next();
          if (!reply || reply.kind !== 'array' || !reply.items) break;
          const words = reply.items.map((item) => (item.kind === 'bulk' ? String(item.value) : ''));
          commands.push(words[0]!.toUpperCase());
          socket.write('+OK\r\n');
          continue;
        }
        buffer.push(peek);
        const line = buffer.line();
        if (line === undefined) break;
        commands.push(line.toUpperCase());
        if (line.toUpperCase() === 'SYNC') sendSnapshot(socket, script);
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    commands,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

function sendSnapshot(socket: Socket, script: PeerScript): void {
  const body = script.closeAfter !== undefined ? script.rdb.subarray(0, script.closeAfter) : script.rdb;
  if (script.framing === 'bulk') {
    socket.write('\n\n');
    socket.write(`$${script.rdb.length}\r\n`);
    socket.write(body);
  } else {
    const mark = randomBytes(20).toString('hex');
    socket.write(`$EOF:${mark}\r\n`);
    socket.write(body);
    if (script.closeAfter === undefined) socket.write(mark);
  }
  if (script.closeAfter !== undefined) socket.end();
}
