/**
 * Bucket backup benchmark: Lifeboat's `bucket` backup (first, then incremental after changing
 * 10 objects and deleting 5) against what operators write by hand, `aws s3 sync` of the same
 * bucket to a folder followed by `tar | gpg --encrypt`, in one run, with s3rver as both the
 * source bucket and the store (loopback: the figures measure the tools, not a network). Prints
 * objects/s and MiB/s. Nothing here fails on a figure.
 *
 *   npm run bench -- bucket   [LIFEBOAT_BENCH_BUCKET_OBJECTS=2000] [LIFEBOAT_BENCH_BUCKET_MB=64]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { backup, backupOperation, createContext, MemoryReporter, objectSource, resolveOptions } from '@lifeboat/core';
import { shellQuote, timeShell } from '../../test/bench-support/commands.js';
import { mib, printTable, rate, seconds } from '../../test/bench-support/report.js';
import { createGpgHome, type GpgHome } from '../../test/services/gpg.js';
import { startS3, type S3Service } from '../../test/services/s3.js';
import { fillBucket, remove, rewrite, sampleKeys } from '../../test/bucket/support.js';

const OBJECTS = Number(process.env.LIFEBOAT_BENCH_BUCKET_OBJECTS || 2000);
const LARGE_MIB = Number(process.env.LIFEBOAT_BENCH_BUCKET_MB || 64);

let s3: S3Service | undefined;
let gpg: GpgHome | undefined;
let work: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-bucket-'));
  [s3, gpg] = await Promise.all([startS3(), createGpgHome({ name: 'Lifeboat Bench' })]);
}, 600_000);
afterAll(async () => {
  await Promise.allSettled([s3?.stop(), gpg?.cleanup()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('bucket backup benchmark', () => {
  it(`backs up ${OBJECTS} objects (one of ${LARGE_MIB} MiB) first and incrementally, against aws s3 sync + tar | gpg`, async () => {
    const service = s3!;
    const source = await service.createBucket();
    const store = await service.createBucket();
    await fillBucket(service.client(), source, 'data/', OBJECTS, LARGE_MIB * 2 ** 20);
    const sizes = await bucketBytes(service, source);

    const run = async () => {
      const options = resolveOptions(backupOperation, objectSource({
        store: `s3://${store}/lifeboat`, 's3-endpoint': service.endpoint, 's3-force-path-style': 'true', name: 'bench',
        bucket: `s3://${source}/data`, 'bucket-endpoint': service.endpoint, 'bucket-force-path-style': 'true', recipients: gpg!.publicKeyArmored,
      }));
      const started = performance.now();
      const outcome = await backup(options, createContext(new MemoryReporter(), 'cli', { ...process.env, ...service.env }));
      if (!outcome.ok) throw new Error(outcome.failure);
      return (performance.now() - started) / 1000;
    };
    const first = await run();
    const keys = sampleKeys(OBJECTS);
    await rewrite(service.client(), source, 'data/', keys.filter((k) => !k.startsWith('empty/')).slice(2, 12));
    await remove(service.client(), source, 'data/', keys.slice(20, 25));
    const incremental = await run();

    const folder = join(work!, 'sync');
    const manual = await timeShell(
      `aws s3 sync --quiet s3://${source}/data ${shellQuote(folder)} && tar -C ${shellQuote(folder)} -cf - . | gpg --batch --yes --trust-model always --encrypt -r ${shellQuote(gpg!.fingerprint)} -o ${shellQuote(join(work!, 'bucket.tar.gpg'))}`,
      { ...service.env, GNUPGHOME: gpg!.home },
    );
    const row = (label: string, secs: number, objects: number, bytes: number) => ({ run: label, time: seconds(secs), 'objects/s': (objects / secs).toFixed(0), 'MiB/s': rate(bytes, secs) });
    printTable(`Bucket backup: ${OBJECTS} objects, ${mib(sizes)} (s3rver on loopback as bucket and store)`, [
      row('lifeboat backup --bucket (first: copies all)', first, OBJECTS, sizes),
      row('lifeboat backup --bucket (incremental: 10 changed, 5 deleted)', incremental, OBJECTS - 5, sizes),
      row('aws s3 sync to a folder + tar | gpg --encrypt', manual.seconds, OBJECTS, sizes),
    ], ['Incremental rates count every object listed and referenced, as the backup covers all of them.', 'aws s3 sync holds a plaintext copy of the bucket on disk; Lifeboat streams each object into the store encrypted.']);
  });
});

async function bucketBytes(service: S3Service, bucket: string): Promise<number> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  let bytes = 0;
  let token: string | undefined;
  do {
    const page = await service.client().send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) bytes += o.Size ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return bytes;
}
