/**
 * A protocol-level S3 peer: an HTTP server on loopback that records each request and answers
 * it as the test's handler decides, with S3's XML documents. It stands in for S3 where s3rver
 * cannot act like it: s3rver never denies access, has no regions, no expiring tokens and no
 * Object Lock. Everything else is tested against s3rver.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the peer received it. */
export interface PeerRequest {
  readonly method: string;
  /** Decoded path, e.g. `/bucket/key`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the peer answers. */
export interface PeerResponse {
  readonly status: number;
  /** Close the connection without answering, as a dropped connection or a crashed server would. */
  readonly drop?: boolean;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface S3Peer {
  readonly endpoint: string;
  readonly requests: PeerRequest[];
  close(): Promise<void>;
}

/** An S3 `<Error>` document. */
export function s3Error(status: number, code: string, message: string, headers: Record<string, string> = {}): PeerResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>peer</RequestId></Error>`,
  };
}

/** Starts the peer on a free loopback port. */
export async function startS3Peer(handler: (request: PeerRequest) => PeerResponse): Promise<S3Peer> {
  const requests: PeerRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const request: PeerRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const response = handler(request);
      if (response.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
