export type * from './store.js';
export { openStore, s3UploadSettings, type StoreOptions } from './open-store.js';
export { parseStoreUrl, STORE_FORMS, type StoreTarget } from './store-url.js';
export { checkKey, checkPrefix, joinKey } from './keys.js';
export * from './errors.js';
export {
  S3AccessDeniedError,
  S3BucketNotFoundError,
  S3CredentialsError,
  S3NoCredentialsError,
  S3ObjectTooLargeError,
  S3WrongRegionError,
} from './s3/s3-errors.js';
export * from './s3/part-size.js';
export { LocalStore } from './local/local-store.js';
export { artifactName, keyFromArtifactName } from './artifact/artifact-names.js';
