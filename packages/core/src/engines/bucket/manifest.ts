import { z } from 'zod';

/** File name of the encrypted index, before the scheme's suffix. */
export const INDEX_FILE = 'index.ndjson';

/** The manifest `source` section of a bucket backup: operational facts only (counts are in the encrypted stats). */
export const bucketManifestSchema = z.looseObject({
  kind: z.literal('bucket'),
  /** `s3://bucket/prefix` backed up. */
  location: z.string(),
  indexFormat: z.literal(1),
  /** How each object's blob is encrypted (the manifest's scheme, repeated where the engine reads it). */
  objectEncryption: z.enum(['openpgp', 'age', 'none']),
});
export type BucketManifestSection = z.infer<typeof bucketManifestSchema>;

/** The encrypted stats of a bucket backup. */
export const bucketStatsSchema = z.looseObject({
  objects: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  copied: z.number().int().nonnegative(),
  copiedBytes: z.number().int().nonnegative(),
  referenced: z.number().int().nonnegative(),
});
export type BucketStats = z.infer<typeof bucketStatsSchema>;
