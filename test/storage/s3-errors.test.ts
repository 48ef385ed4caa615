import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { devNull } from 'node:os';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clearSecretsForTests,
  createContext,
  describeError,
  MemoryReporter,
  openStore,
  OptionError,
  redact,
  S3AccessDeniedError,
  S3BucketNotFoundError,
  S3CredentialsError,
  S3NoCredentialsError,
  S3ObjectTooLargeError,
  S3WrongRegionError,
  StoredSizeMismatchError,
  StoreUnreachableError,
  type Store,
  type StoreOptions,
} from '@lifeboat/core';
import { startS3, type S3Service } from '../services/s3.js';
import { s3Error, startS3Peer, type PeerRequest, type PeerResponse, type S3Peer } from './s3-peer.js';
import { failure } from './helpers.js';

const MiB = 1024 * 1024;
const peerEnv = { AWS_ACCESS_KEY_ID: 'AKIDPEER', AWS_SECRET_ACCESS_KEY: 'peer-secret-key-value', AWS_REGION: 'us-east-1' };

async function drain(store: Store, prefix = ''): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const object of store.list(prefix)) out.push(object);
  return out;
}

afterEach(() => clearSecretsForTests());

describe('S3 errors against s3rver', () => {
  let s3: S3Service;
  let bucket: string;

  beforeAll(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const options = (store: string): StoreOptions => ({ store, s3Endpoint: s3.endpoint, s3ForcePathStyle: true });

  it('a missing bucket: names it and says to create it or fix `store`', async () => {
    const store = await openStore(options('s3://no-such-bucket/x'), createContext(new MemoryReporter(), 'cli', { ...s3.env }));
    const put = await failure(store.put('k', Readable.from(['x'])));
    expect(put).toBeInstanceOf(S3BucketNotFoundError);
    expect(describeError(put)).toBe(
      `Bucket 'no-such-bucket' does not exist at ${s3.endpoint}. Create the bucket, or fix \`store\` (and \`s3-endpoint\` / \`s3-region\` if the bucket lives elsewhere).`,
    );
    expect(await failure(drain(store))).toBeInstanceOf(S3BucketNotFoundError);
    expect(await failure(store.get('k'))).toBeInstanceOf(S3BucketNotFoundError);
  });

  it('an unknown access key: says which, never the secret', async () => {
    const secret = 'not-the-real-secret-0123456789';
    const reporter = new MemoryReporter();
    const env = { ...s3.env, AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN', AWS_SECRET_ACCESS_KEY: secret };
    const store = await openStore(options(`s3://${bucket}/x`), createContext(reporter, 'cli', env));
    const error = await failure(store.put('k', Readable.from(['x'])));
    expect(error).toBeInstanceOf(S3CredentialsError);
    expect((error as S3CredentialsError).code).toBe('s3-invalid-credentials');
    expect(describeError(error)).toContain('InvalidAccessKeyId');
    expect(describeError(error)).toContain('Check AWS_ACCESS_KEY_ID');
    expect(describeError(error)).not.toContain(secret);
    // The secret was registered, so nothing printed later can carry it either.
    expect(redact(`x ${secret} y`)).toBe('x *** y');
  });

  it('an unreachable endpoint: names it', async () => {
    const port = await new Promise<number>((done) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => done(port));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const store = await openStore(
      { store: `s3://${bucket}/x`, s3Endpoint: endpoint, s3ForcePathStyle: true },
      createContext(new MemoryReporter(), 'cli', { ...s3.env }),
    );
    const error = await failure(store.put('k', Readable.from(['x'])));
    expect(error).toBeInstanceOf(StoreUnreachableError);
    expect(describeError(error)).toBe(
      `Cannot reach the store at ${endpoint} (ECONNREFUSED). Check \`s3-endpoint\` (or that the region exists), DNS and the network path from this machine.`,
    );
    expect(await failure(drain(store))).toBeInstanceOf(StoreUnreachableError);
  });
});

describe('S3 errors against a protocol-level S3 peer', () => {
  let peer: S3Peer;
  let answer: (request: PeerRequest) => PeerResponse;

  beforeAll(async () => {
    peer = await startS3Peer((request) => answer(request));
  });
  afterAll(async () => {
    await peer?.close();
  });

  function open(extra: Partial<StoreOptions> = {}, reporter = new MemoryReporter()): Promise<Store> {
    peer.requests.length = 0;
    return openStore(
      { store: 's3://locked-bucket/backups', s3Endpoint: peer.endpoint, s3ForcePathStyle: true, ...extra },
      createContext(reporter, 'cli', peerEnv),
    );
  }

  it('AccessDenied on upload: names the action, the permission and where to look', async () => {
    answer = () => s3Error(403, 'AccessDenied', 'Access Denied');
    const store = await open();
    const error = await failure(store.put('db/b1/manifest.json', Readable.from(['{}'])));
    expect(error).toBeInstanceOf(S3AccessDeniedError);
    expect((error as S3AccessDeniedError).code).toBe('s3-access-denied');
    const text = describeError(error);
    expect(text).toContain(`S3 refused PutObject on s3://locked-bucket/backups/db/b1/manifest.json at ${peer.endpoint} (AccessDenied).`);
    expect(text).toContain('allowed s3:PutObject on arn:aws:s3:::locked-bucket/backups/db/b1/manifest.json*');
    expect(text).toContain('IAM policy');
    expect(text).toContain('OIDC');
    expect(text).not.toContain(peerEnv.AWS_SECRET_ACCESS_KEY);
  });

  it('AccessDenied on listing names ListObjectsV2 and s3:ListBucket', async () => {
    answer = () => s3Error(403, 'AccessDenied', 'Access Denied');
    const error = await failure(drain(await open()));
    expect(error).toBeInstanceOf(S3AccessDeniedError);
    expect(describeError(error)).toContain('S3 refused ListObjectsV2 on s3://locked-bucket/backups/');
    expect(describeError(error)).toContain('allowed s3:ListBucket on arn:aws:s3:::locked-bucket by');
  });

  it('a wrong secret key: SignatureDoesNotMatch, with what to check, never the secret', async () => {
    answer = () => s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    const error = await failure(drain(await open()));
    expect(error).toBeInstanceOf(S3CredentialsError);
    expect(describeError(error)).toContain('SignatureDoesNotMatch');
    expect(describeError(error)).toContain('secret access key');
    expect(describeError(error)).not.toContain(peerEnv.AWS_SECRET_ACCESS_KEY);
    expect(redact(peerEnv.AWS_SECRET_ACCESS_KEY)).toBe('***');
  });

  it('an expired session token: says to obtain fresh credentials', async () => {
    answer = () => s3Error(400, 'ExpiredToken', 'The provided token has expired.');
    const error = await failure((await open()).get('db/b1/manifest.json'));
    expect(error).toBeInstanceOf(S3CredentialsError);
    expect(describeError(error)).toContain('(ExpiredToken)');
    expect(describeError(error)).toContain('role-duration-seconds');
  });

  it('a bucket in another region: names the region to set', async () => {
    answer = () =>
      s3Error(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', {
        'x-amz-bucket-region': 'eu-central-1',
      });
    const error = await failure(drain(await open()));
    expect(error).toBeInstanceOf(S3WrongRegionError);
    expect(describeError(error)).toBe(
      "Bucket 'locked-bucket' is not in region us-east-1: it is in eu-central-1. Set `s3-region` to eu-central-1.",
    );
  });

  it('a refused multipart part: aborts the upload and stops the producer', async () => {
    answer = (request) => {
      if (request.method === 'POST' && request.query.has('uploads')) {
        return {
          status: 200,
          headers: { 'content-type': 'application/xml' },
          body: '<InitiateMultipartUploadResult><Bucket>locked-bucket</Bucket><Key>k</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>',
        };
      }
      if (request.method === 'DELETE' && request.query.get('uploadId') === 'upload-1') return { status: 204 };
      return s3Error(403, 'AccessDenied', 'Access Denied');
    };
    const store = await open();
    const input = new Readable({
      read() {
        this.push(randomBytes(MiB));
      },
    });
    const error = await failure(store.put('db/b1/db.pgdump.pgp', input, { expectedSize: 100 * MiB }));
    expect(error).toBeInstanceOf(S3AccessDeniedError);
    expect(input.destroyed).toBe(true);
    const aborts = peer.requests.filter((r) => r.method === 'DELETE' && r.query.get('uploadId') === 'upload-1');
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(peer.requests.some((r) => r.method === 'POST' && r.query.has('uploadId'))).toBe(false);
  });

  it('sends the encryption, Object Lock and storage-class headers, with the checksum Object Lock needs', async () => {
    answer = (request): PeerResponse =>
      request.method === 'PUT'
        ? { status: 200, headers: { etag: '"e"' } }
        : { status: 200, headers: { 'content-length': '11', 'last-modified': new Date().toUTCString() } };
    const store = await open({
      s3Sse: 'aws:kms',
      s3KmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/abcd',
      s3ObjectLockMode: 'compliance',
      s3ObjectLockDays: 30,
      s3StorageClass: 'glacier_ir',
    });
    const before = Date.now();
    expect(await store.put('db/b1/manifest.json', Readable.from(['{"a":"b12"}']))).toEqual({ key: 'db/b1/manifest.json', size: 11 });
    const put = peer.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/locked-bucket/backups/db/b1/manifest.json');
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('arn:aws:kms:us-east-1:111122223333:key/abcd');
    expect(put.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
    expect(put.headers['x-amz-storage-class']).toBe('GLACIER_IR');
    expect(put.headers['x-amz-checksum-crc32']).toBeTruthy();
    const until = Date.parse(String(put.headers['x-amz-object-lock-retain-until-date']));
    expect(until - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
    expect(until - before).toBeLessThan(30 * 86_400_000 + 60_000);
    expect(peer.requests.map((r) => r.method)).toEqual(['PUT', 'HEAD']);
  });

  it('without Object Lock sends no checksum headers (S3-compatible stores reject them)', async () => {
    answer = (request): PeerResponse =>
      request.method === 'PUT' ? { status: 200, headers: { etag: '"e"' } } : { status: 200, headers: { 'content-length': '2' } };
    await (await open()).put('k', Readable.from(['{}']));
    const put = peer.requests.find((r) => r.method === 'PUT')!;
    expect(Object.keys(put.headers).filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-sdk-checksum-algorithm')).toEqual([]);
  });

  it('a stored size that differs from the bytes sent fails the put and removes the object', async () => {
    answer = (request): PeerResponse => {
      if (request.method === 'PUT') return { status: 200, headers: { etag: '"e"' } };
      if (request.method === 'HEAD') return { status: 200, headers: { 'content-length': '3' } };
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: '<DeleteResult></DeleteResult>' };
    };
    const error = await failure((await open()).put('k', Readable.from(['12345'])));
    expect(error).toBeInstanceOf(StoredSizeMismatchError);
    expect(error.message).toContain('reports 3 bytes where 5 were sent');
    const deletion = peer.requests.find((r) => r.method === 'POST' && r.query.has('delete'));
    expect(deletion?.body.toString()).toContain('<Key>backups/k</Key>');
  });

  it('write-only credentials (HEAD refused): the upload stands, with a warning', async () => {
    answer = (request): PeerResponse => (request.method === 'PUT' ? { status: 200, headers: { etag: '"e"' } } : { status: 403 });
    const reporter = new MemoryReporter();
    const result = await (await open({}, reporter)).put('k', Readable.from(['12345']));
    expect(result).toEqual({ key: 'k', size: 5 });
    expect(reporter.lines.find((l) => l.level === 'warning')?.message).toContain('credentials lack s3:GetObject');
  });

  it('refuses up front an expected size that cannot fit 10,000 parts of an explicit part size', async () => {
    answer = () => s3Error(500, 'InternalError', 'unexpected request');
    const store = await open({ s3PartSize: 5 * MiB });
    const body = Readable.from([Buffer.alloc(10)]);
    const error = await failure(store.put('db/b1/db.pgdump.pgp', body, { expectedSize: 100 * 1024 * MiB }));
    expect(error).toBeInstanceOf(S3ObjectTooLargeError);
    expect(describeError(error)).toBe(
      "'db/b1/db.pgdump.pgp' is expected to be 100.0 GiB, more than 10,000 parts of 5.00 MiB can hold (48.8 GiB); nothing was uploaded. Set `s3-part-size` to at least 21MiB, or leave it empty so parts are sized from the expected size.",
    );
    expect(body.destroyed).toBe(true);
    expect(peer.requests).toEqual([]);
  });

  it('reports per-key delete refusals, marking Object Lock ones as locked', async () => {
    answer = () => ({
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body:
        '<DeleteResult>' +
        '<Error><Key>backups/a</Key><VersionId>v1</VersionId><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error>' +
        '<Error><Key>backups/b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' +
        '<Error><Key>backups/c</Key><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>' +
        '</DeleteResult>',
    });
    const result = await (await open()).delete(['a', 'b', 'c', 'd', '../bad']);
    expect(result.deleted).toEqual(['d']);
    expect(result.failed).toEqual([
      { key: '../bad', reason: expect.stringContaining("'..'") },
      {
        key: 'a',
        reason: 'AccessDenied: Access Denied because object protected by object lock. (protected by S3 Object Lock until its retention ends)',
        locked: true,
      },
      { key: 'b', reason: 'AccessDenied: Access Denied' },
      { key: 'c', reason: 'InternalError: We encountered an internal error.' },
    ]);
    const sent = peer.requests.find((r) => r.query.has('delete'))!.body.toString();
    expect(sent).toContain('<Quiet>true</Quiet>');
  });

  it('a refused delete request reports every key of the batch, without throwing', async () => {
    answer = () => s3Error(403, 'AccessDenied', 'Access Denied');
    const result = await (await open()).delete(['a', 'b']);
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => f.key)).toEqual(['a', 'b']);
    expect(result.failed[0]!.reason).toContain('S3 refused DeleteObjects');
    expect(result.failed[0]!.reason).toContain('s3:DeleteObject');
  });
});

describe('S3 options', () => {
  const context = () => createContext(new MemoryReporter(), 'cli', peerEnv);

  it.each([
    [{ s3KmsKeyId: 'k' }, '`s3-kms-key-id` is set but `s3-sse` is not `aws:kms`.'],
    [{ s3ObjectLockMode: 'governance' }, '`s3-object-lock-mode` is set without `s3-object-lock-days`.'],
    [{ s3ObjectLockDays: 3 }, '`s3-object-lock-days` is set without `s3-object-lock-mode`.'],
    [{ s3StorageClass: 'glacier' }, "Invalid `s3-storage-class` 'glacier'"],
    [{ s3PartSize: 1024 }, 'Invalid `s3-part-size` 1024 bytes'],
    [{ s3Endpoint: 'ftp://example.com' }, 'only http and https'],
    [{ s3Endpoint: 'https://user:topsecretpw@example.com' }, 'Credentials in `s3-endpoint` are not accepted.'],
  ] as [Partial<StoreOptions>, string][])('refuses %j', async (extra, message) => {
    const error = await failure(openStore({ store: 's3://bucket/x', ...extra }, context()));
    expect(error).toBeInstanceOf(OptionError);
    expect(error.message).toContain(message);
    expect(describeError(error)).not.toContain('topsecretpw');
  });
});

describe('S3 without any credentials', () => {
  const saved: Record<string, string | undefined> = {};
  const isolate = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_ROLE_ARN: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  beforeAll(() => {
    // The SDK's default chain reads the process environment; this file runs in its own worker.
    for (const [name, value] of Object.entries(isolate)) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('fails when the store is opened, before any data is read, saying where credentials come from', async () => {
    const error = await failure(openStore({ store: 's3://bucket/backups' }, createContext(new MemoryReporter(), 'cli', {})));
    expect(error).toBeInstanceOf(S3NoCredentialsError);
    expect((error as S3NoCredentialsError).code).toBe('s3-no-credentials');
    expect(describeError(error)).toContain('No AWS credentials found for s3://bucket/backups.');
    expect(describeError(error)).toContain('AWS_ACCESS_KEY_ID');
    expect(describeError(error)).toContain('id-token: write');
  });
});
