import { opt } from './define.js';

/**
 * How objects are written to S3: encryption at rest, Object Lock, storage class, part size.
 * For operations that write backups (backup, canister-export); spread beside `storeOptions`.
 */
export const s3UploadOptions = {
  's3-sse': opt.enum(['aes256', 'aws:kms'] as const, {
    description:
      'Server-side encryption of stored objects (in addition to OpenPGP): `aes256` (S3-managed keys) or `aws:kms`. Empty: the bucket default.',
  }),
  's3-kms-key-id': opt.string({
    description: 'KMS key id or ARN for `s3-sse: aws:kms`. Empty: the account\'s AWS-managed key for S3.',
  }),
  's3-object-lock-mode': opt.enum(['governance', 'compliance'] as const, {
    description:
      'S3 Object Lock retention mode for every object written (the bucket must have Object Lock enabled); set with `s3-object-lock-days`. `compliance` cannot be shortened by anyone.',
  }),
  's3-object-lock-days': opt.integer({
    min: 1,
    max: 36500,
    description: 'Days each object written stays locked against deletion and overwrite; set with `s3-object-lock-mode`.',
  }),
  's3-storage-class': opt.enum(['standard', 'standard_ia', 'onezone_ia', 'intelligent_tiering', 'glacier_ir'] as const, {
    description:
      'S3 storage class of objects written. Only instantly readable classes: drills and the gate read backups directly (move old backups to archive classes with a lifecycle rule instead). Empty: the bucket default.',
  }),
  's3-max-parts': opt.integer({
    default: '10000',
    min: 1,
    max: 10000,
    description:
      'Most parts one multipart upload may have: 10,000 on AWS S3; set the provider\'s limit (often `1000`) for S3-compatible stores that cap it. Parts are sized so the expected backup fits in that many (larger parts hold more memory), and a backup that cannot fit even in 5GiB parts is refused before anything is uploaded.',
  }),
  's3-part-size': opt.size({
    description:
      'Multipart part size (5MiB to 5GiB). Empty: sized from the expected backup size so `s3-max-parts` parts always suffice. Memory grows with it: part size × (parts in flight + 1), with 3 parts in flight up to 21MiB parts and fewer above (64MiB in flight at most).',
  }),
};

/** How long `artifact://` backups are kept by GitHub. */
export const artifactOptions = {
  'artifact-retention-days': opt.integer({
    min: 1,
    max: 90,
    description:
      'Days GitHub keeps backups stored as artifacts (1 to 90, capped by the repository setting). Empty: the repository default. Artifacts then expire whatever the retention policy says.',
  }),
};

/** Whether a run that writes backups may create its store's folder (backup, canister-export). */
export const storeCreationOptions = {
  'create-store': opt.boolean({
    default: 'false',
    description:
      "Create the store's folder when it does not exist. Off: a missing folder fails the run before the source is read, so a mistyped `store` never \"succeeds\" into a new folder. Buckets are never created.",
  }),
};
