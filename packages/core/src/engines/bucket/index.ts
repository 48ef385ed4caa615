/** The bucket engine: options, S3 access, backup source, index format, drill and restore. */
export * from './options.js';
export { parseBucketUrl, openBucket, SourceBucket, type BucketLocation, type ListedObject } from './bucket-client.js';
export { createBucketSource, BucketSourceError, type BucketBackupSettings } from './source.js';
export { bucketManifestSchema, bucketStatsSchema, INDEX_FILE, type BucketManifestSection, type BucketStats } from './manifest.js';
export { indexEntrySchema, refsEntrySchema, planObject, matchOf, seal, unseal, chooseSample, type IndexEntry, type RefsEntry } from './object-index.js';
export { readIndex, fetchVerified, verifyAll } from './verify.js';
export { drillBucket, prepareBucketRestore } from './drill.js';
export { breakGlass } from './break-glass.js';
export { bucketEngine } from './engine.js';
