import { opt, type ResolvedOptions } from '../../options/define.js';

/** How the bucket backed up (or restored into) is reached: its own S3 settings, apart from the store's. */
export const bucketConnectionOptions = {
  'bucket-endpoint': opt.string({
    description: 'S3-compatible endpoint URL of the bucket (`bucket` or `target-bucket`), e.g. `https://<account>.r2.cloudflarestorage.com`. Empty: AWS S3. Independent of `s3-endpoint`, which is the store\'s.',
  }),
  'bucket-region': opt.string({
    description: 'Region of the bucket. Empty: AWS_REGION / AWS_DEFAULT_REGION, else `us-east-1`.',
  }),
  'bucket-force-path-style': opt.boolean({
    default: 'false',
    description: 'Path-style addressing for the bucket (MinIO and most S3-compatible servers need it).',
  }),
  'bucket-access-key-id': opt.string({
    secret: true,
    description: 'Access key id for the bucket (from a secret, or `LIFEBOAT_BUCKET_ACCESS_KEY_ID`). Empty: the AWS environment the store also uses (AWS_ACCESS_KEY_ID, profiles, OIDC roles).',
  }),
  'bucket-secret-access-key': opt.string({
    secret: true,
    description: 'Secret access key of `bucket-access-key-id` (from a secret, or `LIFEBOAT_BUCKET_SECRET_ACCESS_KEY`).',
  }),
  'bucket-session-token': opt.string({
    secret: true,
    description: 'Session token of temporary bucket credentials, with `bucket-access-key-id`.',
  }),
  'bucket-concurrency': opt.integer({
    default: '8',
    min: 1,
    max: 64,
    description: 'Objects copied (backup, restore) or verified (drill) at once. Memory stays flat: each object streams.',
  }),
};

/** `lifeboat backup --bucket`; the backup operation spreads these in. */
export const bucketBackupOptions = {
  bucket: opt.string({
    description:
      'S3 bucket (and prefix) to back up: `s3://bucket/prefix`. Every object under the prefix is stored encrypted with an encrypted index; objects unchanged since the previous backup of the same name are referenced, not copied again. See docs/bucket.md.',
  }),
  ...bucketConnectionOptions,
};

/** How a bucket drill verifies; the drill operation spreads these in. */
export const bucketDrillOptions = {
  'bucket-sample': opt.integer({
    min: 1,
    description: 'Bucket backups: verify this many objects (chosen at random, always including the largest) instead of all. Empty: every object.',
  }),
  'bucket-concurrency': bucketConnectionOptions['bucket-concurrency'],
};

/** Where `lifeboat restore` writes a bucket backup; the restore operation spreads these in. */
export const bucketRestoreOptions = {
  'target-bucket': opt.string({
    description: 'S3 bucket and prefix to restore a bucket backup into: `s3://bucket/prefix`, which must hold no objects. Reached with the `bucket-*` settings.',
  }),
  ...bucketConnectionOptions,
};

/** Parsed values of `bucketBackupOptions`. */
export type BucketBackupOptions = ResolvedOptions<typeof bucketBackupOptions>;
/** Parsed values of `bucketConnectionOptions`. */
export type BucketConnectionOptions = ResolvedOptions<typeof bucketConnectionOptions>;
