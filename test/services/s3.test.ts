import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Service } from './s3.js';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

function canConnect(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((done) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

describe('startS3 (loopback s3rver harness)', () => {
  let s3: S3Service;

  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('serves objects over the S3 protocol with the fixed key pair', async () => {
    const bucket = await s3.createBucket();
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'hello' }));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  it('pages listings with continuation tokens (needs the legacy OpenSSL provider in its process)', async () => {
    const bucket = await s3.createBucket();
    const client = s3.client();
    for (let i = 0; i < 5; i++) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `k/${i}`, Body: String(i) }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'k/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toBe(3);
    expect(keys.sort()).toEqual(['k/0', 'k/1', 'k/2', 'k/3', 'k/4']);
    // The flag stays in the child: this process runs without it.
    expect(process.env.NODE_OPTIONS ?? '').not.toContain('--openssl-legacy-provider');
  });

  it('lists and aborts multipart uploads (operations added to s3rver by the harness)', async () => {
    const bucket = await s3.createBucket();
    const client = s3.client();
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big/object' }));
    await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'big/object', UploadId: created.UploadId, PartNumber: 1, Body: Buffer.alloc(1024) }),
    );
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['big/object', created.UploadId]]);
    const other = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'elsewhere/' }));
    expect(other.Uploads ?? []).toEqual([]);

    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'big/object', UploadId: created.UploadId }));
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(after.Uploads ?? []).toEqual([]);
    await expect(
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'big/object', UploadId: created.UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(client.send(new ListMultipartUploadsCommand({ Bucket: 'no-such-bucket-here' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('rejects a wrong access key, as S3 does', async () => {
    const bucket = await s3.createBucket();
    const { S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await expect(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }))).rejects.toMatchObject({
        name: 'InvalidAccessKeyId',
      });
    } finally {
      client.destroy();
    }
  });

  it.skipIf(!hasAwsCli)('gives child processes such as the aws CLI what they need in `env`', async () => {
    const bucket = await s3.createBucket();
    await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: 'cli/seen.txt', Body: 'seen' }));
    const run = spawnSync('aws', ['s3', 'cp', `s3://${bucket}/cli/seen.txt`, '-'], {
      env: { ...process.env, ...s3.env },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('seen');
  });

  it('stops: the port closes and the data directory is removed, twice without error', async () => {
    const other = await startS3();
    expect(await canConnect(other.endpoint)).toBe(true);
    expect(existsSync(other.dataDir)).toBe(true);
    await other.stop();
    await other.stop();
    expect(await canConnect(other.endpoint)).toBe(false);
    expect(existsSync(other.dataDir)).toBe(false);
  });
});
