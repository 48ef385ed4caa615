import { S3Client } from '@aws-sdk/client-s3';

type Env = Record<string, string | undefined>;

/** How to reach a bucket; credentials come from the environment, never from options. */
export interface S3Connection {
  /** S3-compatible endpoint URL; undefined for AWS S3. */
  readonly endpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
}

/** How long connecting may take, and how long a connection may stay silent mid-request (parts included). */
export const CONNECT_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 120_000;

/** The region to sign for: the option, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function resolveRegion(option: string | undefined, env: Env): string {
  return option?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1';
}

/**
 * An S3 client for AWS S3 or an S3-compatible store.
 *
 * Credentials: keys in the run's env (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN) when present, else the AWS SDK's default chain (profiles, SSO, web
 * identity / OIDC role assumption, container and instance roles).
 *
 * Checksums only WHEN_REQUIRED: many S3-compatible stores reject or mis-store the default
 * CRC32 trailers (s3rver stores aws-chunked framing bytes); integrity is covered by SigV4
 * payload signing, the stored-size check and the manifest's SHA-256.
 */
export function createS3Client(connection: S3Connection, env: Env): S3Client {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  return new S3Client({
    endpoint: connection.endpoint,
    region: connection.region,
    forcePathStyle: connection.forcePathStyle,
    followRegionRedirects: true,
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN?.trim() || undefined }
        : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Fail fast on an endpoint that never answers; idle sockets mid-transfer are dead ones.
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}
