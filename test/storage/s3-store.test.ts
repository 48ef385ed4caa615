import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContext,
  MemoryReporter,
  ObjectNotFoundError,
  openStore,
  UploadCancelledError,
  type RunContext,
} from '@lifeboat/core';
import { createS3Client } from '../../packages/core/src/storage/s3/s3-client.js';
import { S3Store } from '../../packages/core/src/storage/s3/s3-store.js';
import { startS3, type S3Service } from '../services/s3.js';
import { listAll, recordOperations } from './helpers.js';

const MiB = 1024 * 1024;

/** `size` pseudo-random bytes in 1 MiB chunks, with their SHA-256 once the stream has ended. */
function randomStream(size: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let left = size;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(MiB, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

/** A stream of random bytes that fails after `before` bytes. */
function failingStream(before: number, message: string): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= before) return void this.destroy(new Error(message));
      const chunk = randomBytes(Math.min(MiB, before - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('S3 store against s3rver', () => {
  let s3: S3Service;
  let bucket: string;
  let raw: S3Client;
  let context: RunContext;
  let reporter: MemoryReporter;

  beforeAll(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket();
    raw = s3.client();
    reporter = new MemoryReporter();
    context = createContext(reporter, 'cli', { ...s3.env });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const open = (prefix: string) =>
    openStore({ store: `s3://${bucket}/${prefix}`, s3Endpoint: s3.endpoint, s3ForcePathStyle: true }, context);

  /** The same store, built by hand so the test can see which S3 operations it sends. */
  function recordingStore(prefix: string): { store: S3Store; commands: string[] } {
    const client = createS3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true }, s3.env);
    const commands = recordOperations(client, bucket, prefix);
    const store = new S3Store(client, { bucket, prefix, endpointLabel: s3.endpoint, region: s3.region }, {}, context);
    return { store, commands };
  }

  async function openMultipartUploads(): Promise<string[]> {
    const listed = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (listed.Uploads ?? []).map((u) => u.Key!);
  }

  it('round-trips put, head, get, list and delete under the prefix only', async () => {
    const store = await open('backups/prod');
    expect(store.kind).toBe('s3');
    expect(store.location).toBe(`s3://${bucket}/backups/prod`);
    // A sibling prefix that merely starts the same must never show up.
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'backups/prod-old/db/x', Body: 'old' }));

    const payload = randomBytes(200_000);
    expect(await store.put('db/20260101T000000Z-aaaa/db.pgdump.pgp', Readable.from([payload]))).toEqual({
      key: 'db/20260101T000000Z-aaaa/db.pgdump.pgp',
      size: payload.length,
    });
    await store.put('db/20260101T000000Z-aaaa/manifest.json', Readable.from(['{"format":1}']), { contentType: 'application/json' });
    await store.put('db/drills/d1.json', Readable.from(['{}']));

    const head = await store.head('db/20260101T000000Z-aaaa/manifest.json');
    expect(head).toMatchObject({ key: 'db/20260101T000000Z-aaaa/manifest.json', size: 12 });
    expect(head?.lastModified).toBeInstanceOf(Date);
    expect(await store.head('db/nothing')).toBeUndefined();
    expect(Buffer.compare(Buffer.from(await (await store.get('db/20260101T000000Z-aaaa/db.pgdump.pgp')).toArray().then((c) => Buffer.concat(c as Buffer[]))), payload)).toBe(0);
    expect(await text(await store.get('db/20260101T000000Z-aaaa/manifest.json'))).toBe('{"format":1}');

    expect((await listAll(store)).map((o) => [o.key, o.size])).toEqual([
      ['db/20260101T000000Z-aaaa/db.pgdump.pgp', payload.length],
      ['db/20260101T000000Z-aaaa/manifest.json', 12],
      ['db/drills/d1.json', 2],
    ]);
    expect((await listAll(store, 'db/2026')).map((o) => o.key)).toHaveLength(2);

    expect(await store.delete(['db/20260101T000000Z-aaaa/manifest.json', 'db/never-was'])).toEqual({
      deleted: ['db/20260101T000000Z-aaaa/manifest.json', 'db/never-was'],
      failed: [],
    });
    expect(await store.head('db/20260101T000000Z-aaaa/manifest.json')).toBeUndefined();
  });

  it('a missing key is a clear NotFound', async () => {
    const store = await open('backups/prod');
    const error = await store.get('db/none/manifest.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect((error as ObjectNotFoundError).message).toBe(`No object 'db/none/manifest.json' in s3://${bucket}/backups/prod.`);
  });

  it('stores an empty object with a single PUT', async () => {
    const { store, commands } = recordingStore('empty');
    expect(await store.put('e', Readable.from([]))).toEqual({ key: 'e', size: 0 });
    expect(commands).toEqual(['PutObjectCommand', 'HeadObjectCommand']);
  });

  it('lists 2,500 keys completely, page by page, and deletes them in batches of 1,000', async () => {
    const store = await open('many');
    const keys = Array.from({ length: 2500 }, (_, i) => `db/b${String(i).padStart(4, '0')}/manifest.json`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => raw.send(new PutObjectCommand({ Bucket: bucket, Key: `many/${key}`, Body: key }))));
    }
    const listed = await listAll(store);
    expect(listed).toHaveLength(2500);
    expect(listed.map((o) => o.key)).toEqual([...keys].sort());
    expect(listed.every((o) => o.size === o.key.length)).toBe(true);
    expect(await listAll(store, 'db/b24')).toHaveLength(100);

    const { store: recorded, commands } = recordingStore('many');
    const result = await recorded.delete(keys);
    expect(result.failed).toEqual([]);
    expect(result.deleted).toHaveLength(2500);
    expect(commands.filter((c) => c === 'DeleteObjectsCommand')).toHaveLength(3);
    expect(await listAll(store)).toEqual([]);
  });

  it('uploads ~40 MiB with an expected-size hint as multipart and reads it back byte-identical', async () => {
    const { store, commands } = recordingStore('big');
    const size = 40 * MiB + 12345;
    const { stream, sha256 } = randomStream(size);
    const put = await store.put('db/b1/db.pgdump.pgp', stream, { expectedSize: size });
    expect(put).toEqual({ key: 'db/b1/db.pgdump.pgp', size });
    // 5 MiB parts: 9 parts, the last one short.
    expect(commands.filter((c) => c === 'CreateMultipartUploadCommand')).toHaveLength(1);
    expect(commands.filter((c) => c === 'UploadPart')).toHaveLength(9);
    expect(commands.filter((c) => c === 'CompleteMultipartUploadCommand')).toHaveLength(1);
    expect(commands.at(-1)).toBe('HeadObjectCommand');
    expect(await sha256Of(await store.get('db/b1/db.pgdump.pgp'))).toBe(sha256());
    expect(await openMultipartUploads()).toEqual([]);
  });

  it('an input stream that fails mid-upload leaves no object and no multipart upload', async () => {
    const { store, commands } = recordingStore('failing');
    const input = failingStream(17 * MiB, 'pg_dump: error: connection to server lost');
    const error = await store.put('db/b1/db.pgdump.pgp', input, { expectedSize: 64 * MiB }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('pg_dump: error: connection to server lost');
    expect(commands).toContain('UploadPart');
    expect(commands).toContain('AbortMultipartUploadCommand');
    expect(commands).not.toContain('CompleteMultipartUploadCommand');
    expect(await store.head('db/b1/db.pgdump.pgp')).toBeUndefined();
    expect(await openMultipartUploads()).toEqual([]);
    const uploadsDir = join(s3.dataDir, bucket, '._S3rver_uploads');
    expect(existsSync(uploadsDir) ? readdirSync(uploadsDir) : []).toEqual([]);
  });

  it('a cancelled upload leaves nothing, and the producer’s stream is destroyed', async () => {
    const store = await open('cancelled');
    const controller = new AbortController();
    let pushed = 0;
    const endless = new Readable({
      read() {
        this.push(randomBytes(MiB));
        if (++pushed === 12) controller.abort();
      },
    });
    const error = await store.put('db/b1/db.pgdump.pgp', endless, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadCancelledError);
    expect(endless.destroyed).toBe(true);
    expect(await store.head('db/b1/db.pgdump.pgp')).toBeUndefined();
    expect(await openMultipartUploads()).toEqual([]);
  });

  it('accepts encryption, Object Lock and storage-class options (s3rver ignores them)', async () => {
    const store = await openStore(
      {
        store: `s3://${bucket}/locked`,
        s3Endpoint: s3.endpoint,
        s3ForcePathStyle: true,
        s3Sse: 'aes256',
        s3ObjectLockMode: 'governance',
        s3ObjectLockDays: 7,
        s3StorageClass: 'standard_ia',
      },
      context,
    );
    const { stream, sha256 } = randomStream(11 * MiB);
    expect(await store.put('db/b1/db.pgdump.pgp', stream, { expectedSize: 11 * MiB })).toMatchObject({ size: 11 * MiB });
    expect(await sha256Of(await store.get('db/b1/db.pgdump.pgp'))).toBe(sha256());
  });
});
