/**
 * Multipart parts are sent as plain signed PUTs (part-sender.ts), not through the AWS SDK.
 * Against a protocol-level S3 peer (s3-peer.ts), because s3rver does not check signatures,
 * cannot answer a part with a throttling error and ignores Object Lock checksums: the peer
 * recomputes each part's SigV4 signature by the specification, independently of the signer.
 * s3-store.test.ts round-trips parts through s3rver.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, describeError, MemoryReporter, openStore, type Store, type StoreOptions } from '@lifeboat/core';
import { retryable, PartRequestError } from '../../packages/core/src/storage/s3/part-sender.js';
import { s3Error, startS3Peer, type PeerRequest, type PeerResponse, type S3Peer } from './s3-peer.js';
import { failure } from './helpers.js';

const MiB = 1024 * 1024;
const env = { AWS_ACCESS_KEY_ID: 'AKIDPARTS', AWS_SECRET_ACCESS_KEY: 'parts-secret-key-value', AWS_SESSION_TOKEN: 'parts-session-token', AWS_REGION: 'eu-west-2' };

let peer: S3Peer;
let partAnswer: (request: PeerRequest, attempt: number) => PeerResponse | undefined;
/** Parts received, by number: their bytes (the last attempt that was answered 200). */
const parts = new Map<number, Buffer>();
const attempts = new Map<number, number>();

/** The SigV4 signature S3 would compute for `request` with `secret` (AWS Signature Version 4, for S3: no double escaping). */
function expectedSignature(request: PeerRequest, secret: string): string {
  const auth = /Credential=[^/]+\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=/.exec(String(request.headers.authorization))!;
  const [, day, region, signedHeaders] = auth;
  const rfc3986 = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...request.query.entries()].map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).sort().join('&');
  const headers = signedHeaders!.split(';').map((name) => `${name}:${String(request.headers[name]).trim()}\n`).join('');
  const path = request.path.split('/').map(rfc3986).join('/');
  const canonical = ['PUT', path, query, headers, signedHeaders, request.headers['x-amz-content-sha256']].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', request.headers['x-amz-date'], scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = ['aws4_request', 's3', region!, day!].reduceRight((k: Buffer | string, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secret}`);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

const crc32Of = (bytes: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(bytes) >>> 0);
  return out.toString('base64');
};

/** A multipart-capable peer: creates upload `u-1`, keeps parts, completes, answers HEAD with the stored size. */
function multipartPeer(request: PeerRequest): PeerResponse {
  const q = request.query;
  if (request.method === 'POST' && q.has('uploads')) {
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: '<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1/x+y</UploadId></InitiateMultipartUploadResult>' };
  }
  if (request.method === 'PUT' && q.has('partNumber')) {
    const number = Number(q.get('partNumber'));
    const attempt = (attempts.get(number) ?? 0) + 1;
    attempts.set(number, attempt);
    const special = partAnswer(request, attempt);
    if (special) return special;
    parts.set(number, request.body);
    return { status: 200, headers: { etag: `"etag-${number}"`, ...(request.headers['x-amz-checksum-crc32'] ? { 'x-amz-checksum-crc32': String(request.headers['x-amz-checksum-crc32']) } : {}) } };
  }
  if (request.method === 'POST' && q.has('uploadId')) {
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: '<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"done"</ETag></CompleteMultipartUploadResult>' };
  }
  if (request.method === 'PUT') {
    // PutObject: a one-part object.
    parts.set(1, request.body);
    return { status: 200, headers: { etag: '"single"' } };
  }
  if (request.method === 'DELETE') return { status: 204 };
  if (request.method === 'HEAD') {
    const size = [...parts.values()].reduce((n, b) => n + b.length, 0);
    return { status: 200, headers: { 'content-length': String(size), 'last-modified': new Date().toUTCString(), etag: '"done"' } };
  }
  return s3Error(501, 'NotImplemented', 'not in this peer');
}

beforeAll(async () => {
  peer = await startS3Peer(multipartPeer);
});
afterAll(async () => {
  await peer?.close();
});

function open(extra: Partial<StoreOptions> = {}, runEnv: Record<string, string> = env): Promise<Store> {
  peer.requests.length = 0;
  parts.clear();
  attempts.clear();
  partAnswer = () => undefined;
  return openStore({ store: 's3://parts-bucket/backups', s3Endpoint: peer.endpoint, s3ForcePathStyle: true, ...extra }, createContext(new MemoryReporter(), 'cli', runEnv));
}

/** The part PUTs the peer received, by part number (they are sent concurrently). */
const partPuts = () => peer.requests.filter((r) => r.method === 'PUT').sort((a, b) => Number(a.query.get('partNumber')) - Number(b.query.get('partNumber')));
const completion = () => peer.requests.find((r) => r.method === 'POST' && r.query.has('uploadId'))!.body.toString('utf8');

describe('multipart parts as signed PUTs', () => {
  it('signs each part for the upload\'s region with its SHA-256 and the session token, at the address the upload was created at', async () => {
    const store = await open();
    const payload = randomBytes(12 * MiB);
    expect(await store.put('db/b1/db.pgdump.zst.pgp', Readable.from([payload]), { expectedSize: 12 * MiB })).toEqual({ key: 'db/b1/db.pgdump.zst.pgp', size: payload.length });
    const puts = partPuts();
    expect(puts.map((r) => r.query.get('partNumber'))).toEqual(['1', '2', '3']);
    for (const put of puts) {
      expect(put.path).toBe('/parts-bucket/backups/db/b1/db.pgdump.zst.pgp');
      expect(put.query.get('uploadId')).toBe('u-1/x+y');
      expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDPARTS\/\d{8}\/eu-west-2\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-security-token[^,]*, Signature=[0-9a-f]{64}$/);
      expect(put.headers['x-amz-security-token']).toBe('parts-session-token');
      expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(put.body).digest('hex'));
      expect(put.headers['x-amz-checksum-crc32']).toBeUndefined();
      expect(String(put.headers.authorization).split('Signature=')[1]).toBe(expectedSignature(put, env.AWS_SECRET_ACCESS_KEY));
      expect(expectedSignature(put, 'another-secret')).not.toBe(String(put.headers.authorization).split('Signature=')[1]);
    }
    expect(Buffer.concat([1, 2, 3].map((n) => parts.get(n)!)).equals(payload)).toBe(true);
    // The completion lists each part once, in order, with the ETag it was answered with.
    const listed = [...completion().matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => `${/<PartNumber>(\d+)</.exec(m[1]!)?.[1]} ${/<ETag>([^<]*)</.exec(m[1]!)?.[1]?.replaceAll('&quot;', '"')}`);
    expect(listed).toEqual(['1 "etag-1"', '2 "etag-2"', '3 "etag-3"']);
    expect(JSON.stringify(peer.requests.map((r) => r.headers))).not.toContain('parts-secret-key-value');
  });

  it('sends a part again after a 503 SlowDown or a dropped connection, and completes with it once', async () => {
    const store = await open();
    partAnswer = (request, attempt) => {
      const number = Number(request.query.get('partNumber'));
      if (number === 2 && attempt === 1) return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
      if (number === 3 && attempt === 1) return { status: 0, drop: true };
      return undefined;
    };
    const payload = randomBytes(12 * MiB);
    expect((await store.put('db/b2/x', Readable.from([payload]), { expectedSize: 12 * MiB })).size).toBe(payload.length);
    expect(attempts.get(2)).toBe(2);
    expect(attempts.get(3)).toBe(2);
    expect(Buffer.concat([1, 2, 3].map((n) => parts.get(n)!)).equals(payload)).toBe(true);
    expect([...completion().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
  });

  it('gives up on a part after three attempts, names the error, aborts the upload and never completes it', async () => {
    const store = await open();
    partAnswer = (request) => (request.query.get('partNumber') === '2' ? s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.') : undefined);
    const error = await failure(store.put('db/b3/x', Readable.from([randomBytes(12 * MiB)]), { expectedSize: 12 * MiB }));
    expect(describeError(error)).toMatch(/^S3 PutObject on .*db\/b3\/x.* failed \(HTTP 500\): InternalError: We encountered an internal error\. Please try again\./);
    expect(attempts.get(2)).toBe(3);
    expect(peer.requests.some((r) => r.method === 'DELETE' && r.query.get('uploadId') === 'u-1/x+y')).toBe(true);
    expect(peer.requests.some((r) => r.method === 'POST' && r.query.has('uploadId'))).toBe(false);
  });

  it('does not repeat a part that was refused (403): one attempt, the refusal named', async () => {
    const store = await open();
    partAnswer = () => s3Error(403, 'AccessDenied', 'Access Denied');
    const error = await failure(store.put('db/b4/x', Readable.from([randomBytes(12 * MiB)]), { expectedSize: 12 * MiB }));
    expect(describeError(error)).toMatch(/S3 refused PutObject/);
    expect(Math.max(...attempts.values())).toBe(1);
  });

  it('with Object Lock, sends each part\'s CRC32 and lists it in the completion', async () => {
    const store = await open({ s3ObjectLockMode: 'governance', s3ObjectLockDays: 7 });
    const payload = randomBytes(11 * MiB);
    await store.put('db/b5/x', Readable.from([payload]), { expectedSize: 11 * MiB });
    const create = peer.requests.find((r) => r.method === 'POST' && r.query.has('uploads'))!;
    expect(create.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    const puts = partPuts();
    expect(puts.length).toBeGreaterThan(1);
    for (const put of puts) expect(put.headers['x-amz-checksum-crc32']).toBe(crc32Of(put.body));
    expect([...completion().matchAll(/<ChecksumCRC32>([^<]*)<\/ChecksumCRC32>/g)].map((m) => m[1])).toEqual(puts.map((p) => crc32Of(p.body)));
  });
});

describe('parts above 16 MiB, spooled to files in the run\'s temp folder', () => {
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'lifeboat-spool-test-'));
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  /** A store with 17 MiB parts whose spool goes under `temp`. */
  const spooled = (extra: Partial<StoreOptions> = {}) => open({ s3PartSize: 17 * MiB, ...extra }, { ...env, RUNNER_TEMP: temp });
  /** The spool folders under `temp` and their files, with their modes. */
  const spoolState = () =>
    readdirSync(temp).map((dir) => ({
      dir,
      mode: statSync(join(temp, dir)).mode & 0o777,
      files: readdirSync(join(temp, dir)).map((file) => `${file} ${(statSync(join(temp, dir, file)).mode & 0o777).toString(8)}`),
    }));

  it('sends each part from its file, signed with its SHA-256, and removes the spool folder after', async () => {
    const store = await spooled();
    const seen: ReturnType<typeof spoolState>[] = [];
    partAnswer = () => void seen.push(spoolState());
    const payload = randomBytes(40 * MiB);
    expect((await store.put('db/s1/x', Readable.from([payload]))).size).toBe(payload.length);
    const puts = partPuts();
    expect(puts.map((r) => r.body.length)).toEqual([17 * MiB, 17 * MiB, 6 * MiB]);
    for (const put of puts) {
      expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(put.body).digest('hex'));
      expect(String(put.headers.authorization).split('Signature=')[1]).toBe(expectedSignature(put, env.AWS_SECRET_ACCESS_KEY));
    }
    expect(Buffer.concat([1, 2, 3].map((n) => parts.get(n)!)).equals(payload)).toBe(true);
    // While parts were sent: one private folder of private files, named for this process.
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]![0]!.dir).toMatch(new RegExp(`^lifeboat-upload-p${process.pid}-`));
    expect(seen[0]![0]!.mode).toBe(0o700);
    expect(seen[0]![0]!.files.length).toBeGreaterThan(0);
    for (const file of seen.flatMap((state) => state[0]!.files)) expect(file).toMatch(/^part-\d+ 600$/);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('reads a part from its file again after a 503 SlowDown or a dropped connection', async () => {
    const store = await spooled();
    partAnswer = (request, attempt) => {
      const number = Number(request.query.get('partNumber'));
      if (number === 1 && attempt === 1) return { status: 0, drop: true };
      if (number === 2 && attempt < 3) return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
      return undefined;
    };
    const payload = randomBytes(45 * MiB);
    expect((await store.put('db/s2/x', Readable.from([payload]))).size).toBe(payload.length);
    expect([attempts.get(1), attempts.get(2), attempts.get(3)]).toEqual([2, 3, 1]);
    expect(Buffer.concat([1, 2, 3].map((n) => parts.get(n)!)).equals(payload)).toBe(true);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('with Object Lock, sends the CRC32 computed as the file was written', async () => {
    const store = await spooled({ s3ObjectLockMode: 'governance', s3ObjectLockDays: 7 });
    await store.put('db/s3/x', Readable.from([randomBytes(35 * MiB)]));
    const puts = partPuts();
    expect(puts).toHaveLength(3);
    for (const put of puts) expect(put.headers['x-amz-checksum-crc32']).toBe(crc32Of(put.body));
    expect([...completion().matchAll(/<ChecksumCRC32>([^<]*)<\/ChecksumCRC32>/g)].map((m) => m[1])).toEqual(puts.map((p) => crc32Of(p.body)));
  });

  it('keeps an object of 16 MiB or less in memory (one PutObject, no folder); a larger single part goes as a one-part upload', async () => {
    const store = await spooled();
    const small = randomBytes(16 * MiB);
    await store.put('db/s4/small', Readable.from([small]));
    expect(peer.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(peer.requests.find((r) => r.method === 'PUT')!.body.equals(small)).toBe(true);
    const one = await spooled();
    let folders = 0;
    partAnswer = () => void (folders = readdirSync(temp).length);
    const single = randomBytes(16 * MiB + 1234);
    await one.put('db/s4/single', Readable.from([single]));
    expect(partPuts()).toHaveLength(1);
    expect(folders).toBe(1);
    expect(parts.get(1)!.equals(single)).toBe(true);
    expect(completion()).toMatch(/<PartNumber>1<\/PartNumber>/);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('a refused part leaves no spool folder', async () => {
    const store = await spooled();
    partAnswer = (request) => (request.query.get('partNumber') === '2' ? s3Error(403, 'AccessDenied', 'Access Denied') : undefined);
    const error = await failure(store.put('db/s5/x', Readable.from([randomBytes(40 * MiB)])));
    expect(describeError(error)).toMatch(/S3 refused PutObject/);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('a spool folder that cannot be made is named with the space it needs and what to set; nothing is uploaded', async () => {
    const notAFolder = join(temp, 'a-file');
    writeFileSync(notAFolder, '');
    try {
      const store = await open({ s3PartSize: 17 * MiB }, { ...env, RUNNER_TEMP: notAFolder });
      const error = await failure(store.put('db/s6/x', Readable.from([randomBytes(40 * MiB)])));
      expect(error).toMatchObject({ code: 'upload-spool-failed' });
      expect(describeError(error)).toMatch(/^Could not use the upload's spool folder \(ENOTDIR\) in .*a-file\. The upload keeps up to 4 parts of 17\.0 MiB there \(68\.0 MiB\) until the store acknowledges them\. Point RUNNER_TEMP \(or TMPDIR\) at a writable folder; a smaller `s3-part-size` needs less\.$/);
      expect(peer.requests.filter((r) => r.method === 'PUT' || r.method === 'POST')).toEqual([]);
    } finally {
      rmSync(notAFolder);
    }
  });
});

describe('which part failures are repeated', () => {
  it.each<[string, unknown, boolean]>([
    ['503 SlowDown', new PartRequestError('SlowDown', 'slow down', 503), true],
    ['500 InternalError', new PartRequestError('InternalError', 'internal', 500), true],
    ['400 RequestTimeout', new PartRequestError('RequestTimeout', 'timeout', 400), true],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    ['403 AccessDenied', new PartRequestError('AccessDenied', 'denied', 403), false],
    ['404 NoSuchUpload', new PartRequestError('NoSuchUpload', 'gone', 404), false],
    ['400 InvalidDigest', new PartRequestError('InvalidDigest', 'bad digest', 400), false],
    ['an error without a code', new Error('boom'), false],
  ])('%s: %s', (_label, error, expected) => {
    expect(retryable(error)).toBe(expected);
  });
});
