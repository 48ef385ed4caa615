/**
 * Bucket backups that must fail, leaving nothing that looks complete: bad settings named with
 * their fix before anything is read, a missing bucket, a listing that breaks mid-way and a copy
 * that fails (no manifest, the copied objects removed). s3rver is the source bucket; the
 * listing fault is injected by a subclass of the bucket reader, the only way to break a real
 * listing on cue.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, backupOperation, generateKeyPair, objectSource, preflight, preflightOperation, resolveOptions, type PreflightCheck } from '@lifeboat/core';
import { prepareEncryption } from '../../packages/core/src/crypto/index.js';
import { openBucket, SourceBucket, type ListedObject } from '../../packages/core/src/engines/bucket/bucket-client.js';
import { createBucketSource } from '../../packages/core/src/engines/bucket/source.js';
import { runBackup } from '../../packages/core/src/pipeline/run-backup.js';
import { LocalStore } from '../../packages/core/src/storage/local/local-store.js';
import { startS3, type S3Service } from '../services/s3.js';
import { freshFolder, testContext } from '../redis/support.js';
import { fillBucket } from './support.js';
import { withFaults } from '../retention/faulty-store.js';

let s3: S3Service;
let source: string;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  [s3, key] = await Promise.all([startS3(), generateKeyPair({ name: 'Bucket failures test' })]);
  source = await s3.createBucket();
  await fillBucket(s3.client(), source, 'data/', 30, 64 * 1024);
}, 120_000);
afterAll(async () => {
  await s3?.stop();
});

function options(extra: Record<string, string>) {
  return resolveOptions(
    backupOperation,
    objectSource({ store: freshFolder(), 'bucket-endpoint': s3.endpoint, 'bucket-force-path-style': 'true', recipients: key.publicKey, name: 'files', ...extra }),
  );
}

/** Everything under a folder store, relative. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1));
}

describe('bucket backups that fail', () => {
  it.each([
    ['a URL that is not s3://', { bucket: 'gs://proofs/x' }, /`bucket` 'gs:\/\/proofs\/x' is not an S3 bucket URL/],
    ['a key id without its secret', { bucket: 's3://proofs/x', 'bucket-access-key-id': 'AKIA' }, /Only one of `bucket-access-key-id` and `bucket-secret-access-key` is set/],
    ['a bucket and a Redis server at once', { bucket: 's3://proofs/x', 'redis-url': 'redis://localhost' }, /`redis-url` and `bucket` are both set|`bucket` and `redis-url` are both set/],
  ])('refuses %s before anything is read', async (_what, extra, message) => {
    const opts = options(extra);
    const outcome = backup(opts, testContext(s3.env));
    await expect(outcome).rejects.toThrow(message);
    expect(filesUnder(opts.store)).toEqual([]);
  });

  it('fails on a bucket that does not exist, naming it, with nothing stored', async () => {
    const opts = options({ bucket: 's3://no-such-bucket-here/x' });
    const outcome = await backup(opts, testContext(s3.env)).catch((error: Error) => ({ ok: false, failure: error.message }));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/no-such-bucket-here/);
    expect(filesUnder(opts.store)).toEqual([]);
  });

  it('preflight lists the bucket (a pass), and fails naming a bucket that does not exist', async () => {
    const values = (bucket: string) => objectSource({ store: freshFolder(), bucket, 'bucket-endpoint': s3.endpoint, 'bucket-force-path-style': 'true', recipients: key.publicKey });
    const good = await preflight(resolveOptions(preflightOperation, values(`s3://${source}/data`)), testContext(s3.env));
    const rows = (good.data as { checks: PreflightCheck[] }).checks;
    expect(rows.find((c) => c.name === 'source')).toMatchObject({ status: 'pass', detail: `s3://${source}/data is reachable and can be listed` });
    const bad = await preflight(resolveOptions(preflightOperation, values('s3://no-such-bucket-here/data')), testContext(s3.env));
    expect(bad.ok).toBe(false);
    expect((bad.data as { checks: PreflightCheck[] }).checks.find((c) => c.name === 'source')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no-such-bucket-here') });
  });

  it('writes no manifest and removes the copied objects when the listing breaks mid-way', async () => {
    class BreakingBucket extends SourceBucket {
      override async *list(): AsyncIterable<ListedObject> {
        let n = 0;
        for await (const object of super.list()) {
          if (n++ === 12) throw new Error('listing page 2 failed: connection reset');
          yield object;
        }
      }
    }
    const context = testContext(s3.env);
    const healthy = openBucket(`s3://${source}/data/`, 'bucket', { bucketEndpoint: s3.endpoint, bucketForcePathStyle: true }, context);
    const bucket = Object.setPrototypeOf(healthy, BreakingBucket.prototype) as SourceBucket;
    const folder = freshFolder();
    const store = new LocalStore(folder);
    const encryption = await prepareEncryption({ encryption: 'openpgp', recipients: key.publicKey }, context.reporter);
    const sourceOf = await createBucketSource({ bucket, concurrency: 4, context });
    await expect(runBackup(sourceOf, { store, name: 'files', encryption }, context)).rejects.toThrow(/listing page 2 failed/);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('writes no manifest and removes the copied objects when storing one object fails', async () => {
    const context = testContext(s3.env);
    const folder = freshFolder();
    const real = new LocalStore(folder);
    let puts = 0;
    const store = { ...withFaults(real), put: (k: string, body: import('node:stream').Readable, o?: object) => (k.includes('/objects/') && ++puts === 20 ? Promise.reject(new Error('disk full')) : real.put(k, body, o)) };
    const encryption = await prepareEncryption({ encryption: 'openpgp', recipients: key.publicKey }, context.reporter);
    const bucket = openBucket(`s3://${source}/data`, 'bucket', { bucketEndpoint: s3.endpoint, bucketForcePathStyle: true }, context);
    const sourceOf = await createBucketSource({ bucket, concurrency: 4, context });
    await expect(runBackup(sourceOf, { store, name: 'files', encryption }, context)).rejects.toThrow(/disk full/);
    expect(filesUnder(folder)).toEqual([]);
  });
});
