import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { RedisConnection } from './connection.js';
import { connectionFailure } from './failures.js';

/** TLS options for node:tls from a connection's settings. */
function tlsOptionsOf(connection: RedisConnection): { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized: true } {
  const { ca, cert, key, servername } = connection.tlsSettings;
  // The certificate is checked against `servername` when given, else the URL's host; SNI takes names only.
  const name = servername ?? (isIP(connection.host) ? undefined : connection.host);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(name ? { servername: name } : {}), rejectUnauthorized: true };
}

/**
 * Opens a TCP (or, for rediss://, TLS) connection; the certificate is checked against the
 * CA given (or the system's) and the host name. Failures come back as Redis errors naming
 * the fix.
 */
export function openSocket(connection: RedisConnection, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const socket = connection.tls
      ? tlsConnect({ host: connection.host, port: connection.port, ...tlsOptionsOf(connection) })
      : netConnect({ host: connection.host, port: connection.port });
    const timer = setTimeout(() => fail(Object.assign(new Error('connect timeout'), { code: 'connect-timeout' })), options.timeoutMs ?? 30_000);
    const onAbort = () => fail(options.signal!.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
    };
    function fail(error: unknown) {
      done();
      socket.destroy();
      reject(error === options.signal?.reason ? error : connectionFailure(error, connection));
    }
    socket.once('error', fail);
    socket.once(connection.tls ? 'secureConnect' : 'connect', () => {
      done();
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
