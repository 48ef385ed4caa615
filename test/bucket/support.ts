/** Helpers of the bucket engine tests: a source bucket in s3rver filled with awkward keys, read back whole. */
import { createHash, randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Key → SHA-256 of every object under `prefix` (keys relative to it), all pages. */
export async function snapshot(client: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
      const bytes = Buffer.from(await body.Body!.transformToByteArray());
      result.set(object.Key!.slice(prefix.length), createHash('sha256').update(bytes).digest('hex'));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return result;
}

/** The keys a sample bucket holds: unicode, spaces, nested folders, empty objects. */
export function sampleKeys(count: number): string[] {
  const shapes = [
    (i: number) => `proofs/${i}.json`,
    (i: number) => `certificates/Zertifikat für Müller ${i}.pdf`,
    (i: number) => `exports/2026 Q4/report ${i} (final).csv`,
    (i: number) => `日本語/ファイル ${i}.txt`,
    (i: number) => `empty/marker-${i}`,
  ];
  return Array.from({ length: count }, (_, i) => shapes[i % shapes.length]!(i));
}

/** Content of a sample object: empty under `empty/`, one large object, small random ones otherwise. */
export function sampleBody(key: string, index: number, largeBytes: number): Buffer {
  if (key.startsWith('empty/')) return Buffer.alloc(0);
  if (index === 1) return randomBytes(largeBytes);
  return randomBytes(200 + ((index * 7919) % 20_000));
}

/** Writes `count` sample objects under `prefix`; returns their keys (relative). */
export async function fillBucket(client: S3Client, bucket: string, prefix: string, count: number, largeBytes: number, concurrency = 16): Promise<string[]> {
  const keys = sampleKeys(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const i = next++;
        const key = keys[i]!;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${key}`, Body: sampleBody(key, i, largeBytes) }));
      }
    }),
  );
  return keys;
}

/** Rewrites objects with new content. */
export async function rewrite(client: S3Client, bucket: string, prefix: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${key}`, Body: randomBytes(1000) }));
}

/** Deletes objects. */
export async function remove(client: S3Client, bucket: string, prefix: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }));
}

/** Flips one byte in the middle of a stored object. */
export async function flipByte(client: S3Client, bucket: string, key: string): Promise<void> {
  const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await body.Body!.transformToByteArray());
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
}

/** Keys of the objects under `prefix` in the store's bucket. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.push(object.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
