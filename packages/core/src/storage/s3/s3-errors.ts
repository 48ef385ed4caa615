import { formatBytes } from '../../options/values.js';
import { ObjectNotFoundError, StorageError, StoreUnreachableError } from '../errors.js';

/** The bucket named by `store` does not exist. */
export class S3BucketNotFoundError extends StorageError {
  constructor(bucket: string, endpoint: string, options?: { cause?: unknown }) {
    super(
      's3-no-such-bucket',
      `Bucket '${bucket}' does not exist at ${endpoint}.`,
      'Create the bucket, or fix `store` (and `s3-endpoint` / `s3-region` if the bucket lives elsewhere).',
      options,
    );
  }
}

/** The credentials in use may not perform the action. */
export class S3AccessDeniedError extends StorageError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('s3-access-denied', message, fix, options);
  }
}

/** The credentials in use are unknown, wrong or expired. */
export class S3CredentialsError extends StorageError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('s3-invalid-credentials', message, fix, options);
  }
}

/** No credentials were found anywhere the AWS SDK looks. */
export class S3NoCredentialsError extends StorageError {
  constructor(target: string, options?: { cause?: unknown }) {
    super(
      's3-no-credentials',
      `No AWS credentials found for ${target}.`,
      'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; in GitHub Actions, assume a role with OIDC (aws-actions/configure-aws-credentials with `role-to-assume`, and `permissions: id-token: write` in the workflow).',
      options,
    );
  }
}

/** The bucket lives in another region than the one requests are signed for. */
export class S3WrongRegionError extends StorageError {
  constructor(bucket: string, region: string, actual: string | undefined, options?: { cause?: unknown }) {
    super(
      's3-wrong-region',
      `Bucket '${bucket}' is not in region ${region}${actual ? `: it is in ${actual}` : ''}.`,
      actual ? `Set \`s3-region\` to ${actual}.` : "Set `s3-region` to the bucket's region.",
      options,
    );
  }
}

/** An object larger than the allowed number of parts of the part size in use can hold. */
export class S3ObjectTooLargeError extends StorageError {
  /** `expectedSize` given: refused before uploading; otherwise the stream outgrew the limit mid-upload. */
  constructor(key: string, partSize: number, limit: number, expectedSize?: number, maxParts = 10_000) {
    const parts = `${maxParts.toLocaleString('en-US')} parts of ${formatBytes(partSize)} can hold (${formatBytes(limit)})`;
    const needed = Math.ceil(((expectedSize ?? limit * 2) * 2) / maxParts / 1024 / 1024);
    super(
      's3-object-too-large',
      expectedSize === undefined
        ? `'${key}' grew past what ${parts}; the upload was aborted.`
        : `'${key}' is expected to be ${formatBytes(expectedSize)}, more than ${parts}; nothing was uploaded.`,
      needed > 5 * 1024
        ? `Parts cannot exceed 5GiB: raise \`s3-max-parts\` if the store allows more than ${maxParts.toLocaleString('en-US')} parts, or back up less at once (\`databases\`, \`exclude-tables\`).`
        : `Set \`s3-part-size\` to at least ${needed}MiB, or leave it empty so parts are sized from the expected size.`,
    );
  }
}

/** What was being attempted when S3 answered with an error. */
export interface S3Call {
  /** S3 API name, e.g. `PutObject`. */
  readonly action: string;
  /** IAM permission the action needs, e.g. `s3:PutObject`. */
  readonly permission: string;
  readonly bucket: string;
  /** Full object key or listing prefix, when the call had one. */
  readonly key?: string;
  /** The endpoint as operators name it: a URL, or `AWS S3 (<region>)`. */
  readonly endpoint: string;
  readonly region: string;
  /** Where the store points, for ObjectNotFoundError. */
  readonly location: string;
  /** The key relative to the store, for ObjectNotFoundError. */
  readonly storeKey?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'ExpiredTokenException']);
const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'MovedPermanently']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  Region?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Node error codes anywhere in the error, its cause or an AggregateError's members. */
function systemCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 3) return [];
  const e = error as SdkError;
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = [...(e.errors ?? []), e.cause].flatMap((inner) => systemCodes(inner, depth + 1));
  return [...own, ...nested];
}

function objectLabel(call: S3Call): string {
  return `s3://${call.bucket}/${call.key ?? ''}`;
}

/** True for the SDK's "no credentials anywhere" failure. */
export function isMissingCredentials(error: unknown): boolean {
  const e = error as SdkError | undefined;
  return e?.name === 'CredentialsProviderError' || /could not load credentials/i.test(e?.message ?? '');
}

/**
 * Turns an AWS SDK failure into a StorageError that names the action, the target and the
 * fix. Never quotes credentials: SDK messages do not carry them, and credential failures are
 * described in words of our own.
 */
export function mapS3Error(error: unknown, call: S3Call): StorageError {
  if (error instanceof StorageError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const code = e.Code ?? name;
  const status = e.$metadata?.httpStatusCode;
  const cause = { cause: error };

  if (isMissingCredentials(error)) return new S3NoCredentialsError(objectLabel(call), cause);
  if (code === 'NoSuchBucket') return new S3BucketNotFoundError(call.bucket, call.endpoint, cause);
  if (code === 'NoSuchKey' || ((code === 'NotFound' || status === 404) && call.storeKey !== undefined)) {
    return new ObjectNotFoundError(call.storeKey ?? call.key ?? '', call.location, cause);
  }
  if (REGION_CODES.has(code) || status === 301) {
    const actual = e.$response?.headers?.['x-amz-bucket-region'] ?? e.Region;
    return new S3WrongRegionError(call.bucket, call.region, actual, cause);
  }
  if (code === 'AccessDenied' || code === 'Forbidden' || code === 'AllAccessDisabled' || (status === 403 && !CREDENTIAL_CODES.has(code))) {
    const resource = `arn:aws:s3:::${call.bucket}${call.action === 'ListObjectsV2' ? '' : `/${call.key ?? ''}*`}`;
    return new S3AccessDeniedError(
      `S3 refused ${call.action} on ${objectLabel(call)} at ${call.endpoint} (${code || `HTTP ${status}`}).`,
      `Check that the credentials in use are allowed ${call.permission} on ${resource} by their IAM policy, the bucket policy` +
        ' and, with `s3-sse: aws:kms`, the KMS key policy; in GitHub Actions with OIDC, that the role assumed grants it and its trust policy admits this repository and ref.',
      cause,
    );
  }
  if (code === 'InvalidAccessKeyId') {
    return new S3CredentialsError(
      `S3 does not recognise the access key in use (InvalidAccessKeyId) for ${call.action} on ${objectLabel(call)} at ${call.endpoint}.`,
      'Check AWS_ACCESS_KEY_ID or the profile in use, and that the key belongs to this endpoint (S3-compatible stores issue their own keys).',
      cause,
    );
  }
  if (code === 'SignatureDoesNotMatch') {
    return new S3CredentialsError(
      `S3 rejected the request signature (SignatureDoesNotMatch) for ${call.action} on ${objectLabel(call)} at ${call.endpoint}.`,
      'Check that the secret access key belongs to the access key id in use; for S3-compatible stores also check `s3-endpoint`, `s3-region` and `s3-force-path-style`.',
      cause,
    );
  }
  if (CREDENTIAL_CODES.has(code)) {
    return new S3CredentialsError(
      `The session credentials in use were refused (${code}) for ${call.action} on ${objectLabel(call)}.`,
      'Obtain fresh credentials: for an OIDC role, raise `role-duration-seconds` in configure-aws-credentials so the role outlasts the job; for a profile, log in again.',
      cause,
    );
  }
  if (code === 'InvalidObjectState') {
    return new StorageError(
      's3-object-archived',
      `${objectLabel(call)} is in an archive storage class and cannot be read directly.`,
      'Restore it first (aws s3api restore-object), then retry; keep backups that drills read in an instantly readable class.',
      cause,
    );
  }
  if (code === 'InvalidRequest' && /content-md5|x-amz-checksum/i.test(e.message ?? '')) {
    return new StorageError(
      's3-checksum-required',
      `S3 requires a checksum on uploads to bucket '${call.bucket}' (it has Object Lock retention).`,
      'Set `s3-object-lock-mode` and `s3-object-lock-days`: Lifeboat then sends the checksums Object Lock requires.',
      cause,
    );
  }
  const codes = systemCodes(error);
  const unreachable = codes.find((c) => UNREACHABLE.has(c));
  if (unreachable || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new StoreUnreachableError(call.endpoint, unreachable ?? name, cause);
  }
  const detail = e.message && e.message !== code ? `${code ? `${code}: ` : ''}${e.message}` : code || String(error);
  return new StorageError(
    's3-request-failed',
    `S3 ${call.action} on ${objectLabel(call)} at ${call.endpoint} failed${status ? ` (HTTP ${status})` : ''}: ${detail}.`,
    'Retry; if it persists, check the store and its settings (`s3-endpoint`, `s3-region`, `s3-force-path-style`).',
    cause,
  );
}
