import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { RunContext } from '../../context.js';
import { OptionError } from '../../report/errors.js';
import { registerSecret } from '../../report/secrets.js';
import { StorageError } from '../../storage/errors.js';
import { createS3Client, resolveRegion } from '../../storage/s3/s3-client.js';
import { mapS3Error, type S3Call } from '../../storage/s3/s3-errors.js';
import { MultipartUpload } from '../../storage/s3/multipart-upload.js';
import { planUpload } from '../../storage/s3/part-size.js';
import type { BucketConnectionOptions } from './options.js';

/** A bucket and prefix as `s3://bucket/prefix` names them. */
export interface BucketLocation {
  readonly bucket: string;
  /** Without slashes at either end; may be empty (the whole bucket). */
  readonly prefix: string;
}

const BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/** Parses `s3://bucket/prefix` for the option named `option`. */
export function parseBucketUrl(value: string, option: string): BucketLocation {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(value.trim());
  if (!match || !BUCKET_PATTERN.test(match[1]!)) {
    throw new OptionError(`\`${option}\` '${value}' is not an S3 bucket URL.`, `Set \`${option}\` to \`s3://bucket/prefix\` (the prefix may be empty); the endpoint goes in \`bucket-endpoint\`.`);
  }
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** An object as the bucket lists it. */
export interface ListedObject {
  /** The full key in the bucket. */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified?: string;
}

/** An object's body as read, with what S3 said about it. */
export interface ObjectBody {
  readonly body: Readable;
  readonly size: number;
  readonly etag: string;
  readonly versionId?: string;
  readonly lastModified?: string;
}

/** The source (or restore target) bucket, reached with the `bucket-*` settings; errors as the store's. */
export class SourceBucket {
  readonly location: string;
  private readonly endpointLabel: string;
  private readonly region: string;

  constructor(
    private readonly client: S3Client,
    readonly target: BucketLocation,
    connection: { endpoint?: string; region: string },
    /** Where large objects' parts are spooled while they are put back. */
    private readonly tempDir: string,
  ) {
    this.location = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
    this.endpointLabel = connection.endpoint ?? `AWS S3 (${connection.region})`;
    this.region = connection.region;
  }

  /** Where listing starts: the prefix as a folder (`proofs/`), or the whole bucket. */
  get root(): string {
    return this.target.prefix ? `${this.target.prefix}/` : '';
  }

  private call(action: string, permission: string, key?: string): S3Call {
    return { action, permission, bucket: this.target.bucket, key, endpoint: this.endpointLabel, region: this.region, location: this.location };
  }

  /** Every object under the prefix, page by page; a failed or cut-short page rejects. */
  async *list(maxKeys?: number): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: this.root, ContinuationToken: token, MaxKeys: maxKeys }));
      } catch (error) {
        throw mapS3Error(error, this.call('ListObjectsV2', 's3:ListBucket', this.root));
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag ?? '', lastModified: object.LastModified?.toISOString() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) {
        throw new StorageError('s3-listing-truncated', `Listing ${this.location} at ${this.endpointLabel} was cut short without a continuation token.`, 'The bucket does not page ListObjectsV2 correctly; no backup was written.');
      }
    } while (token);
  }

  /** True when nothing is stored under the prefix. */
  async isEmpty(): Promise<boolean> {
    for await (const _ of this.list(1)) return false;
    return true;
  }

  /** Streams one object. */
  async get(key: string, signal?: AbortSignal): Promise<ObjectBody> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: key }), { abortSignal: signal });
      return {
        body: response.Body as Readable,
        size: response.ContentLength ?? 0,
        etag: response.ETag ?? '',
        versionId: response.VersionId && response.VersionId !== 'null' ? response.VersionId : undefined,
        lastModified: response.LastModified?.toISOString(),
      };
    } catch (error) {
      throw mapS3Error(error, this.call('GetObject', 's3:GetObject', key));
    }
  }

  /** Streams `body` to `key` (multipart when large). */
  async put(key: string, body: Readable, size: number): Promise<void> {
    try {
      await new MultipartUpload(this.client, { Bucket: this.target.bucket, Key: key }, planUpload(size), this.tempDir).done(body);
    } catch (error) {
      throw mapS3Error(error, this.call('PutObject', 's3:PutObject', key));
    }
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}

/** Opens the bucket `url` names with the `bucket-*` settings; credentials from them or else the run's AWS environment. */
export function openBucket(url: string, option: string, options: Partial<BucketConnectionOptions>, context: RunContext): SourceBucket {
  const location = parseBucketUrl(url, option);
  registerSecret(options.bucketSecretAccessKey);
  registerSecret(options.bucketSessionToken);
  if (Boolean(options.bucketAccessKeyId) !== Boolean(options.bucketSecretAccessKey)) {
    throw new OptionError('Only one of `bucket-access-key-id` and `bucket-secret-access-key` is set.', 'Set both (from secrets), or neither to use the AWS environment.');
  }
  const env = options.bucketAccessKeyId
    ? { AWS_ACCESS_KEY_ID: options.bucketAccessKeyId, AWS_SECRET_ACCESS_KEY: options.bucketSecretAccessKey, AWS_SESSION_TOKEN: options.bucketSessionToken }
    : context.env;
  const region = resolveRegion(options.bucketRegion, context.env);
  const endpoint = options.bucketEndpoint?.trim() || undefined;
  const client = createS3Client({ endpoint, region, forcePathStyle: options.bucketForcePathStyle ?? false }, env);
  return new SourceBucket(client, location, { endpoint, region }, context.tempDir);
}
