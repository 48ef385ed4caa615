import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, describeError, MemoryReporter, openStore, S3ObjectTooLargeError, type RunContext } from '@lifeboat/core';
import { createS3Client } from '../../packages/core/src/storage/s3/s3-client.js';
import { S3Store, type S3UploadSettings } from '../../packages/core/src/storage/s3/s3-store.js';
import { startS3, type S3Service } from '../services/s3.js';
import { failure, recordOperations } from './helpers.js';

const MiB = 1024 * 1024;

describe('`s3-max-parts` against s3rver', () => {
  let s3: S3Service;
  let bucket: string;
  let raw: S3Client;
  let context: RunContext;

  beforeAll(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket();
    raw = s3.client();
    context = createContext(new MemoryReporter(), 'cli', { ...s3.env });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  /** An S3 store that records the S3 operations it sends. */
  function recordingStore(settings: S3UploadSettings): { store: S3Store; commands: string[] } {
    const client = createS3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true }, s3.env);
    const commands = recordOperations(client, bucket, 'parts');
    return { store: new S3Store(client, { bucket, prefix: 'parts', endpointLabel: s3.endpoint, region: s3.region }, settings, context), commands };
  }

  async function openUploads(): Promise<number> {
    return ((await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).length;
  }

  it('sizes parts so the upload stays within the cap, and the object round-trips', async () => {
    const payload = randomBytes(20 * MiB);
    // Expected 17 MiB, at most 2 parts: 17 MiB parts (twice the estimate fits), so 20 MiB goes in 2, spooled to files.
    const capped = recordingStore({ maxParts: 2 });
    await capped.store.put('db/capped', Readable.from([payload]), { expectedSize: 17 * MiB });
    expect(capped.commands.filter((c) => c === 'UploadPart')).toHaveLength(2);
    // Uncapped, the same upload takes 4 parts of 5 MiB.
    const uncapped = recordingStore({});
    await uncapped.store.put('db/uncapped', Readable.from([payload]), { expectedSize: 17 * MiB });
    expect(uncapped.commands.filter((c) => c === 'UploadPart')).toHaveLength(4);
    const back = Buffer.concat((await (await capped.store.get('db/capped')).toArray()) as Buffer[]);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('refuses up front what cannot fit, sending nothing (set through the `s3-max-parts` option)', async () => {
    const { store, commands } = recordingStore({ maxParts: 3, partSize: 5 * MiB });
    const error = await failure(store.put('db/too-big', Readable.from([Buffer.alloc(1)]), { expectedSize: 100 * MiB }));
    expect(error).toBeInstanceOf(S3ObjectTooLargeError);
    expect(describeError(error)).toBe(
      "'db/too-big' is expected to be 100.0 MiB, more than 3 parts of 5.00 MiB can hold (15.0 MiB); nothing was uploaded. Set `s3-part-size` to at least 67MiB, or leave it empty so parts are sized from the expected size.",
    );
    expect(commands).toEqual([]);

    const viaOptions = await openStore(
      { store: `s3://${bucket}/parts`, s3Endpoint: s3.endpoint, s3ForcePathStyle: true, s3MaxParts: 1000 },
      createContext(new MemoryReporter(), 'cli', { ...s3.env }),
    );
    const huge = await failure(viaOptions.put('db/huge', Readable.from([Buffer.alloc(1)]), { expectedSize: 5 * 1024 * 1024 * MiB }));
    expect(huge).toBeInstanceOf(S3ObjectTooLargeError);
    expect(describeError(huge)).toContain('more than 1,000 parts of 5.00 GiB can hold');
    expect(describeError(huge)).toContain('raise `s3-max-parts`');
  });

  it('aborts a stream that outgrows the cap, leaving no parts behind', async () => {
    const { store } = recordingStore({ maxParts: 2, partSize: 5 * MiB });
    const error = await failure(store.put('db/grew', Readable.from([randomBytes(6 * MiB), randomBytes(6 * MiB)])));
    expect(error).toBeInstanceOf(S3ObjectTooLargeError);
    expect(error.message).toContain('grew past what 2 parts of 5.00 MiB can hold (10.0 MiB); the upload was aborted.');
    expect(await openUploads()).toBe(0);
  });
});
