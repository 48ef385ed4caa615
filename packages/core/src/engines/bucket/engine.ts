import type { Engine } from '../engine.js';
import { breakGlass } from './break-glass.js';
import { drillBucket, prepareBucketRestore } from './drill.js';
import { bucketManifestSchema, type BucketManifestSection } from './manifest.js';
import { createBucketSource } from './source.js';

/**
 * S3 buckets: every object under a prefix copied encrypted into the store with an encrypted
 * index, objects unchanged since the previous backup referenced instead of copied; a drill
 * fetches, decrypts and checks every object (or a sample) in a throwaway folder.
 */
export const bucketEngine: Engine<BucketManifestSection> = {
  id: 'bucket',
  title: 'S3 bucket',
  kinds: ['bucket'],
  section: bucketManifestSchema,

  backup: {
    option: 'bucket',
    selected: (options) => options.bucket !== undefined,
    async plan(options, context) {
      // Loaded only when a bucket is backed up: the AWS SDK takes long to import.
      const { openBucket } = await import('./bucket-client.js');
      const bucket = openBucket(options.bucket!, 'bucket', options, context);
      return [{ name: options.name ?? 'bucket', create: () => createBucketSource({ bucket, concurrency: options.bucketConcurrency, context }) }];
    },
    async preflight(options, context, checks) {
      await checks.run('source', async () => {
        const { openBucket } = await import('./bucket-client.js');
        const bucket = openBucket(options.bucket!, 'bucket', options, context);
        try {
          const empty = await bucket.isEmpty();
          return { value: undefined, detail: empty ? `${bucket.location} is reachable but holds no objects` : `${bucket.location} is reachable and can be listed`, warn: empty };
        } finally {
          bucket.close();
        }
      });
    },
  },

  drill: {
    restore: (backup, options, _drillId, context) => drillBucket(backup, options, context),
    automaticChecks: async () => [],
  },

  restore: {
    option: 'target-bucket',
    selected: (options) => options.targetBucket !== undefined,
    prepare: (options, context) => prepareBucketRestore(options, context),
  },

  breakGlass,
};
