import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import type { CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SpooledPart } from './part-spool.js';
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './s3-client.js';

/**
 * UploadPart without the AWS SDK's per-request machinery: each part is one signed HTTP PUT to
 * the address the SDK itself resolved and signed for the upload's CreateMultipartUpload.
 *
 * Why: every SDK request builds a middleware stack, endpoint parameters and a response
 * parser, about 150 KB of short-lived objects per part. Over thousands of parts V8's young
 * generation grows to its maximum (64 MiB semispaces) and a 50 GiB upload peaked at 300 MiB
 * RSS; plain PUTs of the same parts keep the heap near 10 MiB (scripts/bench/storage-upload.mjs).
 * Create, complete, abort and single-part uploads still go through the SDK.
 */

/** Where the parts of one upload go: the address and signing region of its signed CreateMultipartUpload. */
export interface PartTarget {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port?: number;
  /** The object's path as signed (bucket and key, escaped), without a query. */
  readonly path: string;
  readonly region: string;
}

/** What a sent part answered. */
export interface SentPart {
  readonly etag: string;
  readonly crc32?: string;
}

/** An S3 error answer, shaped as the SDK's exceptions are, so `mapS3Error` reads it the same way. */
export class PartRequestError extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode?: number };
  readonly $response: { headers: Record<string, string | undefined> };
  constructor(code: string, message: string, status: number | undefined, headers: Record<string, string | undefined> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
    this.$response = { headers };
  }
}

/** The S3 codes and HTTP statuses worth another attempt, as the SDK's standard retry treats them. */
const RETRY_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'Throttling', 'ThrottlingException', 'InternalError', 'ServiceUnavailable']);
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether an attempt that failed this way may be repeated. */
export function retryable(error: unknown): boolean {
  if (error instanceof PartRequestError) return RETRY_CODES.has(error.Code) || RETRY_STATUSES.has(error.$metadata.httpStatusCode ?? 0);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (RETRY_NETWORK.has(code) || code === 'ERR_STREAM_PREMATURE_CLOSE');
}

type Bytes = string | ArrayBuffer | ArrayBufferView;
const binary = (data: Bytes): BinaryLike =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 and HMAC-SHA-256 on node:crypto, in the shape the signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', binary(secret));
  }
  update(data: Bytes): void {
    this.hash.update(binary(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** RFC 3986 escaping, as SigV4 canonicalises query values. */
function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The first `<Name>` element's text of an S3 XML error body. */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Sends the parts of one multipart upload over keep-alive connections, signed with the client's credentials. */
export class PartSender {
  private readonly agent: http.Agent;
  private readonly signer: SignatureV4;

  constructor(
    private readonly client: S3Client,
    private readonly target: PartTarget,
    private readonly uploadId: string,
    private readonly settings: { readonly connections: number; readonly maxAttempts: number; readonly checksum: boolean },
  ) {
    const Agent = target.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
    this.signer = new SignatureV4({ credentials: client.config.credentials, region: target.region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  }

  /** Sends one part, repeating attempts that failed in a way worth repeating (with backoff); rejects with the last failure. */
  async send(partNumber: number, body: Buffer | SpooledPart, signal: AbortSignal): Promise<SentPart> {
    const inMemory = Buffer.isBuffer(body);
    const payloadHash = inMemory ? createHash('sha256').update(body).digest('hex') : body.sha256;
    const checksum = this.settings.checksum ? (inMemory ? crc32Base64(body) : body.crc32) : undefined;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        return await this.attempt(partNumber, body, payloadHash, checksum, signal);
      } catch (error) {
        if (signal.aborted || attempt >= this.settings.maxAttempts || !retryable(error)) throw error;
        // Full jitter on an exponential base, as the SDK's standard retry strategy.
        await sleep(Math.random() * Math.min(20_000, 100 * 2 ** attempt), undefined, { signal });
      }
    }
  }

  /** Closes the idle connections. */
  close(): void {
    this.agent.destroy();
  }

  private async attempt(partNumber: number, body: Buffer | SpooledPart, payloadHash: string, checksum: string | undefined, signal: AbortSignal): Promise<SentPart> {
    const { protocol, hostname, port, path } = this.target;
    const query = { partNumber: String(partNumber), uploadId: this.uploadId };
    // At the clock the SDK corrected from the store's answers, if it had to.
    const signingDate = new Date(Date.now() + (this.client.config.systemClockOffset ?? 0));
    const signed = await this.signer.sign({
      method: 'PUT',
      protocol,
      hostname,
      port,
      path,
      query,
      headers: {
        host: port === undefined ? hostname : `${hostname}:${port}`,
        'content-length': String(body.length),
        'x-amz-content-sha256': payloadHash,
        ...(checksum ? { 'x-amz-checksum-crc32': checksum } : {}),
      },
      // The payload's hash is in its header, so the signer never reads the body.
      body: Buffer.isBuffer(body) ? body : undefined,
    }, { signingDate });
    const search = `partNumber=${escape(query.partNumber)}&uploadId=${escape(query.uploadId)}`;
    return await new Promise<SentPart>((resolve, reject) => {
      const request = (protocol === 'https:' ? https : http).request(
        { method: 'PUT', protocol, hostname, port, path: `${path}?${search}`, headers: signed.headers, agent: this.agent, signal },
        (response) => {
          const status = response.statusCode ?? 0;
          const headers = response.headers as Record<string, string | undefined>;
          if (status >= 200 && status < 300) {
            response.resume();
            response.once('end', () => {
              if (!headers.etag) reject(new PartRequestError('MissingETag', `The store answered part ${partNumber} without an ETag.`, status, headers));
              else resolve({ etag: headers.etag, ...(headers['x-amz-checksum-crc32'] ? { crc32: headers['x-amz-checksum-crc32'] } : {}) });
            });
            response.once('error', reject);
            return;
          }
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (text.length < 65_536) text += chunk;
          });
          response.once('error', reject);
          response.once('end', () => {
            const code = element(text, 'Code') ?? (status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : `HTTP ${status}`);
            reject(new PartRequestError(code, element(text, 'Message') ?? `HTTP ${status} for part ${partNumber}`, status, headers));
          });
        },
      );
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(Object.assign(new Error(`No answer to part ${partNumber} for ${REQUEST_TIMEOUT_MS / 1000} s.`), { code: 'ETIMEDOUT' })));
      const connectTimer = setTimeout(
        () => request.destroy(Object.assign(new Error(`Could not connect to ${hostname} within ${CONNECT_TIMEOUT_MS / 1000} s.`), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      request.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.once('close', () => clearTimeout(connectTimer));
      request.once('error', reject);
      if (Buffer.isBuffer(body)) return request.end(body);
      // A spooled part is read from its file again for each attempt.
      const source = body.open();
      source.once('error', (error: Error) => request.destroy(error));
      request.once('close', () => source.destroy());
      source.pipe(request);
    });
  }
}

/** The base64 CRC32 (big-endian) S3 expects in `x-amz-checksum-crc32`. */
export function crc32Base64(body: Buffer): string {
  return encodeCrc32(crc32(body));
}

/** A CRC32 value as S3 expects it: four big-endian bytes in base64. */
export function encodeCrc32(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out.toString('base64');
}

/**
 * Adds a step to a CreateMultipartUpload command that records where the SDK sent it once
 * signed (endpoint rules, path style and region redirects applied), so its parts go there too.
 */
export function captureTarget(command: CreateMultipartUploadCommand, found: (target: PartTarget) => void): void {
  command.middlewareStack.addRelativeTo(
    ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const request = (args as { request?: { protocol?: string; hostname?: string; port?: number; path?: string; headers?: Record<string, string> } }).request ?? {};
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(request.headers?.authorization ?? '')?.[1];
      if ((request.protocol === 'http:' || request.protocol === 'https:') && request.hostname && request.path && region) {
        found({ protocol: request.protocol, hostname: request.hostname, port: request.port, path: request.path, region });
      }
      return next(args);
    }) as unknown as Parameters<CreateMultipartUploadCommand['middlewareStack']['addRelativeTo']>[0],
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'lifeboatPartTarget', override: true },
  );
}
