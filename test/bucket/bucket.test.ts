/**
 * `lifeboat backup --bucket`, drill and `restore --target-bucket` end to end, with s3rver as
 * both the source bucket and the store: awkward keys (unicode, spaces, empty objects), a
 * first backup that copies everything, a second that copies only what changed, both restoring
 * exactly, retention that keeps what a kept backup needs, and a flipped byte that fails the
 * drill naming the object. `LIFEBOAT_BUCKET_LARGE=1` runs the 5,000-object / 200 MB case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  backupOperation,
  drill,
  drillOperation,
  generateKeyPair,
  objectSource,
  prune,
  pruneOperation,
  resolveOptions,
  restore,
  restoreOperation,
  type DrillRecord,
  type Manifest,
} from '@lifeboat/core';
import { startS3, type S3Service } from '../services/s3.js';
import { testContext } from '../redis/support.js';
import { fillBucket, flipByte, listKeys, remove, rewrite, snapshot } from './support.js';

const LARGE = process.env.LIFEBOAT_BUCKET_LARGE === '1';
const COUNT = LARGE ? 5000 : 200;
const LARGE_BYTES = LARGE ? 200 * 1024 * 1024 : 3 * 1024 * 1024;
const PREFIX = 'app/';

let s3: S3Service;
let source: string;
let storeBucket: string;
let keys: string[];
let encryptionKey: Awaited<ReturnType<typeof generateKeyPair>>;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  [s3, encryptionKey, signingKey] = await Promise.all([
    startS3(),
    generateKeyPair({ name: 'Bucket test' }),
    generateKeyPair({ name: 'Bucket test signing', purpose: 'sign' }),
  ]);
  source = await s3.createBucket('source-bucket');
  storeBucket = await s3.createBucket('store-bucket');
  keys = await fillBucket(s3.client(), source, PREFIX, COUNT, LARGE_BYTES);
}, 600_000);
afterAll(async () => {
  await s3?.stop();
});

/** Options as an operator sets them: the bucket's credentials through the `bucket-*` settings, the store's through the AWS environment. */
function common(): Record<string, string> {
  return {
    store: `s3://${storeBucket}/lifeboat`,
    's3-endpoint': s3.endpoint,
    's3-force-path-style': 'true',
    name: 'proofs',
    'bucket-endpoint': s3.endpoint,
    'bucket-force-path-style': 'true',
    'bucket-access-key-id': s3.accessKeyId,
    'bucket-secret-access-key': s3.secretAccessKey,
  };
}

async function takeBackup(extra: Record<string, string> = {}) {
  const options = resolveOptions(backupOperation, objectSource({ ...common(), bucket: `s3://${source}/${PREFIX}`, recipients: encryptionKey.publicKey, 'signing-key': signingKey.privateKey, ...extra }));
  const outcome = await backup(options, testContext(s3.env));
  expect(outcome.ok, outcome.failure).toBe(true);
  return (outcome.data as { manifest: Manifest }[])[0]!.manifest;
}

function drillOptions(extra: Record<string, string> = {}) {
  return resolveOptions(drillOperation, objectSource({ ...common(), identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'record-drill': 'false', ...extra }));
}

async function restoreInto(prefix: string, backupId: string) {
  const options = resolveOptions(restoreOperation, objectSource({ ...common(), identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'backup-id': backupId, 'target-bucket': `s3://${source}/${prefix}` }));
  return restore(options, testContext(s3.env));
}

async function blobsOf(backupId: string): Promise<string[]> {
  return listKeys(s3.client(), storeBucket, `lifeboat/proofs/objects/${backupId}/`);
}

describe('bucket backups in s3rver', () => {
  let first: Manifest;
  let second: Manifest;
  let atFirst: Map<string, string>;
  let atSecond: Map<string, string>;
  const changed = () => keys.filter((k) => !k.startsWith('empty/')).slice(2, 12);
  const deleted = () => keys.slice(20, 25);

  it('copies every object on the first backup, encrypted, with an index and refs', async () => {
    atFirst = await snapshot(s3.client(), source, PREFIX);
    expect(atFirst.size).toBe(COUNT);
    first = await takeBackup();
    expect(first.source).toMatchObject({ kind: 'bucket', location: `s3://${source}/app`, objectEncryption: 'openpgp' });
    expect(first.objects.map((o) => o.role)).toEqual(['payload', 'stats', 'refs']);
    expect(await blobsOf(first.id)).toHaveLength(COUNT);
    // Nothing about the objects is readable in the plaintext the store holds.
    expect(JSON.stringify(first)).not.toContain('Zertifikat');
  }, 600_000);

  it('copies only the changed objects on the second backup', async () => {
    await rewrite(s3.client(), source, PREFIX, changed());
    await remove(s3.client(), source, PREFIX, deleted());
    atSecond = await snapshot(s3.client(), source, PREFIX);
    expect(atSecond.size).toBe(COUNT - 5);
    second = await takeBackup();
    expect(await blobsOf(second.id)).toHaveLength(10);
  }, 600_000);

  it('restores each backup alone, exactly as the bucket was at its time', async () => {
    const one = await restoreInto('restored-first/', first.id);
    expect(one.ok, one.failure).toBe(true);
    expect(await snapshot(s3.client(), source, 'restored-first/')).toEqual(atFirst);
    const two = await restoreInto('restored-second/', second.id);
    expect(two.ok, two.failure).toBe(true);
    expect(await snapshot(s3.client(), source, 'restored-second/')).toEqual(atSecond);
  }, 600_000);

  it('refuses to restore into a prefix that holds objects', async () => {
    await expect(restoreInto('restored-second/', second.id)).rejects.toThrow(/already holds objects/);
  });

  it('drills the newest backup: every object fetched, decrypted and checked, counted in the evidence', async () => {
    const outcome = await drill(drillOptions(), testContext(s3.env));
    expect(outcome.ok, outcome.failure).toBe(true);
    const record = outcome.data as DrillRecord;
    const bytes = [...(await snapshotSizes())].reduce((a, b) => a + b, 0);
    expect(record.checks.find((c) => c.kind === 'bucket-objects')).toMatchObject({ ok: true, actual: COUNT - 5 });
    expect(record.checks.find((c) => c.kind === 'bucket-bytes')).toMatchObject({ ok: true, actual: bytes });
    const sampled = await drill(drillOptions({ 'bucket-sample': '7' }), testContext(s3.env));
    expect(sampled.ok, sampled.failure).toBe(true);
    expect((sampled.data as DrillRecord).checks.find((c) => c.kind === 'bucket-objects')).toMatchObject({ ok: true, actual: 7 });
  }, 600_000);

  it('prunes the first backup but keeps every object the second one references', async () => {
    const later = new Date(Date.now() + 3 * 86_400_000);
    const context = { ...testContext(s3.env), now: () => later };
    const options = resolveOptions(pruneOperation, objectSource({ ...common(), 'keep-last': '1' }));
    const outcome = await prune(options, context);
    expect(outcome.ok, outcome.failure).toBe(true);
    // The 10 old versions of the changed objects and the 5 deleted ones were only the first's.
    expect(await blobsOf(first.id)).toHaveLength(COUNT - 15);
    expect((outcome.data as { sharedDeleted: number }).sharedDeleted).toBe(15);
    const drilled = await drill(drillOptions(), testContext(s3.env));
    expect(drilled.ok, drilled.failure).toBe(true);
  }, 600_000);

  it('fails the drill naming the key of an object whose stored bytes were changed', async () => {
    const blob = (await blobsOf(second.id))[0]!;
    await flipByte(s3.client(), storeBucket, blob);
    const outcome = await drill(drillOptions(), testContext(s3.env));
    expect(outcome.ok).toBe(false);
    const changedKeys = changed();
    expect(changedKeys.some((key) => outcome.failure!.includes(`Object \`${key}\``)), outcome.failure).toBe(true);
    expect(outcome.failure).toContain(blob.slice('lifeboat/'.length));
  }, 600_000);

  async function snapshotSizes(): Promise<number[]> {
    const client = s3.client();
    const sizes: number[] = [];
    for (const key of await listKeys(client, source, PREFIX)) {
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const page = await client.send(new ListObjectsV2Command({ Bucket: source, Prefix: key, MaxKeys: 1 }));
      sizes.push(page.Contents?.[0]?.Size ?? 0);
    }
    return sizes;
  }
});
