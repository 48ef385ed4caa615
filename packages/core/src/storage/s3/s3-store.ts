import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RunContext } from '../../context.js';
import { describeError } from '../../report/errors.js';
import type { DeleteResult, ProbeOptions, ProbeResult, PutOptions, PutResult, Store, StoredObject } from '../store.js';
import { StorageError, StoredSizeMismatchError, StoreProbeError, UploadCancelledError } from '../errors.js';
import { probeBody, probeKey } from '../probe.js';
import { checkKey, checkPrefix, joinKey } from '../keys.js';
import { anySignal } from '../signals.js';
import { consumeOrDestroy } from '../body.js';
import { planUpload } from './part-size.js';
import { MultipartUpload } from './multipart-upload.js';
import { mapS3Error, S3AccessDeniedError, S3ObjectTooLargeError, type S3Call } from './s3-errors.js';

/** How objects are written: encryption at rest, Object Lock, storage class, part size. */
export interface S3UploadSettings {
  readonly sse?: 'AES256' | 'aws:kms';
  readonly kmsKeyId?: string;
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  readonly storageClass?: NonNullable<PutObjectCommandInput['StorageClass']>;
  /** Overrides the part size planned from the expected size. */
  readonly partSize?: number;
  /** The most parts the store accepts per upload (S3: 10,000; some compatible stores: 1,000). */
  readonly maxParts?: number;
}

/** One bucket and prefix, and how to reach it. */
export interface S3Target {
  readonly bucket: string;
  /** Root of the store inside the bucket, without slashes at either end; may be empty. */
  readonly prefix: string;
  /** The endpoint as reports name it: the URL, or `AWS S3 (<region>)`. */
  readonly endpointLabel: string;
  readonly region: string;
}

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

/**
 * A store in an S3 (or S3-compatible) bucket under a prefix. Uploads go through
 * MultipartUpload (a fixed pool of part buffers) with a planned part size; a failed upload is aborted so no parts are
 * left behind, and a finished one is checked with HEAD against the bytes sent.
 */
export class S3Store implements Store {
  readonly kind = 's3' as const;
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly target: S3Target,
    private readonly settings: S3UploadSettings,
    private readonly context: RunContext,
  ) {
    this.location = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
  }

  private fullKey(key: string): string {
    return joinKey(this.target.prefix, checkKey(key));
  }

  private call(action: string, permission: string, fullKey?: string, storeKey?: string): S3Call {
    return {
      action,
      permission,
      bucket: this.target.bucket,
      key: fullKey,
      endpoint: this.target.endpointLabel,
      region: this.target.region,
      location: this.location,
      storeKey,
    };
  }

  /**
   * Checks bucket, prefix and credentials before any data moves: a one-key listing (missing
   * bucket, no access, wrong region, unreachable endpoint all fail here), then with `write` a
   * probe object put, read back and deleted. Credentials that may write but not list or read
   * (a write-only backup role) pass with notes saying what they cannot do.
   */
  async probe(options: ProbeOptions = {}): Promise<ProbeResult> {
    const notes: string[] = [];
    const root = this.target.prefix ? `${this.target.prefix}/` : '';
    let listDenied = false;
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: root, MaxKeys: 1 }));
    } catch (error) {
      const mapped = mapS3Error(error, this.call('ListObjectsV2', 's3:ListBucket', root));
      if (!(mapped instanceof S3AccessDeniedError)) throw mapped;
      // Write-only credentials are a valid choice for a backup job; whether they may write is found next.
      listDenied = true;
      notes.push(`The credentials may not list ${this.location} (s3:ListBucket): retention, drills and the gate need it.`);
    }
    if (!options.write && !listDenied) return { notes };

    const key = probeKey();
    const fullKey = this.fullKey(key);
    const body = probeBody(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.target.bucket,
          Key: fullKey,
          Body: body,
          ContentType: 'text/plain',
          ServerSideEncryption: this.settings.sse,
          SSEKMSKeyId: this.settings.kmsKeyId,
          StorageClass: this.settings.storageClass,
          ...(this.settings.objectLock ? { ChecksumAlgorithm: 'CRC32' as const } : {}),
        }),
      );
    } catch (error) {
      throw mapS3Error(error, this.call('PutObject', 's3:PutObject', fullKey, key));
    }
    let failure: unknown;
    try {
      const back = Buffer.concat((await (await this.get(key)).toArray()) as Buffer[]);
      if (!back.equals(body)) {
        failure = new StoreProbeError(
          `The probe object read back from ${this.location} differs from what was written (${back.length} bytes instead of ${body.length}).`,
          'Something between Lifeboat and the store alters objects: check `s3-endpoint` and any proxy in front of it.',
        );
      }
    } catch (error) {
      if (error instanceof S3AccessDeniedError) {
        notes.push(`The credentials may not read ${this.location} (s3:GetObject): drills and restores need other credentials.`);
      } else {
        failure = error;
      }
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
    } catch (error) {
      const mapped = mapS3Error(error, this.call('DeleteObject', 's3:DeleteObject', fullKey));
      notes.push(`The probe object s3://${this.target.bucket}/${fullKey} could not be removed (${mapped.message}); remove it by hand.`);
    }
    if (failure) throw failure;
    return { notes };
  }

  /** Streams `body` to `key` (multipart when large), aborts leftovers on failure, confirms the size. */
  put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    return consumeOrDestroy(body, () => this.upload(key, body, options));
  }

  private async upload(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    const fullKey = this.fullKey(key);
    const plan = planUpload(options.expectedSize, this.settings.partSize, this.settings.maxParts);
    if (options.expectedSize !== undefined && options.expectedSize > plan.maxObjectSize) {
      throw new S3ObjectTooLargeError(key, plan.partSize, plan.maxObjectSize, options.expectedSize, plan.maxParts);
    }
    const signal = anySignal(options.signal, this.context.signal);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        // Stop before the store refuses one part too many with a message nobody could act on.
        if (sent > plan.maxObjectSize) done(new S3ObjectTooLargeError(key, plan.partSize, plan.maxObjectSize, undefined, plan.maxParts));
        else done(null, chunk);
      },
    });
    let inputError: unknown;
    body.once('error', (error) => (inputError ??= error));
    pipeline(body, counter).catch(() => {}); // its failure reaches the upload through `counter`
    const cancel = () => body.destroy(new UploadCancelledError(key, this.location, { cause: signal?.reason }));
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });

    const lock = this.settings.objectLock;
    const upload = new MultipartUpload(
      this.client,
      {
        Bucket: this.target.bucket,
        Key: fullKey,
        ContentType: options.contentType,
        ServerSideEncryption: this.settings.sse,
        SSEKMSKeyId: this.settings.kmsKeyId,
        StorageClass: this.settings.storageClass,
        ObjectLockMode: lock?.mode,
        ObjectLockRetainUntilDate: lock ? new Date(this.context.now().getTime() + lock.days * 86_400_000) : undefined,
        // Object Lock requires a checksum on every PutObject/UploadPart.
        ChecksumAlgorithm: lock ? 'CRC32' : undefined,
      },
      plan,
      this.context.tempDir,
    );
    try {
      await upload.done(counter);
    } catch (error) {
      const fromInput = inputError !== undefined && error === inputError;
      const failure = fromInput ? error : mapS3Error(error, this.call('PutObject', 's3:PutObject', fullKey, key));
      // Before `counter`, whose destruction would end the body with a bare premature close:
      // the producer learns the real failure, now rather than after the abort below.
      if (!body.destroyed) body.destroy(failure as Error);
      counter.destroy();
      await this.abortLeftover(upload.uploadId, fullKey);
      throw failure;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }

    const stored = await this.confirmSize(key, fullKey, sent);
    if (signal?.aborted) {
      await this.delete([key]);
      throw new UploadCancelledError(key, this.location, { cause: signal.reason });
    }
    return { key, size: stored };
  }

  /** Aborts the multipart upload a failed put leaves, so no parts stay billed. */
  private async abortLeftover(uploadId: string | undefined, fullKey: string): Promise<void> {
    if (!uploadId) return;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: fullKey, UploadId: uploadId }));
    } catch (error) {
      if (nameOf(error) === 'NoSuchUpload') return; // already aborted
      const mapped = mapS3Error(error, this.call('AbortMultipartUpload', 's3:AbortMultipartUpload', fullKey));
      this.context.reporter.warning(
        `Could not abort the failed multipart upload ${uploadId} of s3://${this.target.bucket}/${fullKey}; its parts stay billed until removed. ${describeError(mapped)} A lifecycle rule with AbortIncompleteMultipartUpload removes such leftovers.`,
      );
    }
  }

  /** HEADs the new object and compares its size with the bytes sent; removes it on mismatch. */
  private async confirmSize(key: string, fullKey: string, sent: number): Promise<number> {
    let stored: StoredObject | undefined;
    try {
      stored = await this.headFull(key, fullKey);
    } catch (error) {
      // Write-only credentials (s3:PutObject without s3:GetObject) cannot HEAD: trust S3's answer.
      if (error instanceof S3AccessDeniedError) {
        this.context.reporter.warning(
          `Could not confirm the stored size of ${this.location}/${key} (HEAD refused: the credentials lack s3:GetObject); relying on S3's acceptance of the upload.`,
        );
        return sent;
      }
      throw error;
    }
    if (stored?.size !== sent) {
      await this.delete([key]);
      throw new StoredSizeMismatchError(key, this.location, sent, stored?.size);
    }
    return stored.size;
  }

  /** Streams the object; ObjectNotFoundError when the key does not exist. */
  async get(key: string): Promise<Readable> {
    const fullKey = this.fullKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
      return response.Body as Readable;
    } catch (error) {
      throw mapS3Error(error, this.call('GetObject', 's3:GetObject', fullKey, key));
    }
  }

  /** The object's size and time, or undefined when it does not exist. */
  async head(key: string): Promise<StoredObject | undefined> {
    return this.headFull(key, this.fullKey(key));
  }

  private async headFull(key: string, fullKey: string): Promise<StoredObject | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: fullKey }));
      return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified };
    } catch (error) {
      const name = nameOf(error);
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'NotFound' || name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket')) return undefined;
      throw mapS3Error(error, this.call('HeadObject', 's3:GetObject', fullKey));
    }
  }

  /** Every object under `prefix`: ListObjectsV2 page by page, no delimiters. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    checkPrefix(prefix);
    const root = this.target.prefix ? `${this.target.prefix}/` : '';
    const full = root + prefix;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: full, ContinuationToken: token }),
        );
      } catch (error) {
        throw mapS3Error(error, this.call('ListObjectsV2', 's3:ListBucket', full));
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        // Zero-byte "folder" markers made by consoles are not objects of ours.
        if (!key || !key.startsWith(root) || key.endsWith('/')) continue;
        yield { key: key.slice(root.length), size: object.Size ?? 0, lastModified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) {
        throw new StorageError(
          's3-listing-truncated',
          `Listing s3://${this.target.bucket}/${full} at ${this.target.endpointLabel} was cut short without a continuation token.`,
          'The store does not page ListObjectsV2 correctly; use another S3-compatible store or report it to its vendor.',
        );
      }
    } while (token);
  }

  /** DeleteObjects in batches of 1,000; per-key refusals are reported, Object Lock ones marked `locked`. */
  async delete(keys: readonly string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], failed: [] };
    const valid: { key: string; fullKey: string }[] = [];
    for (const key of keys) {
      try {
        valid.push({ key, fullKey: this.fullKey(key) });
      } catch (error) {
        result.failed.push({ key, reason: (error as Error).message });
      }
    }
    for (let start = 0; start < valid.length; start += DELETE_BATCH) {
      const batch = valid.slice(start, start + DELETE_BATCH);
      let errors: { Key?: string; Code?: string; Message?: string; VersionId?: string }[];
      try {
        const response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.target.bucket,
            Delete: { Objects: batch.map(({ fullKey }) => ({ Key: fullKey })), Quiet: true },
          }),
        );
        errors = response.Errors ?? [];
      } catch (error) {
        const reason = describeError(mapS3Error(error, this.call('DeleteObjects', 's3:DeleteObject', batch[0]?.fullKey)));
        for (const { key } of batch) result.failed.push({ key, reason });
        continue;
      }
      const refused = new Map(errors.filter((e) => e.Key).map((e) => [e.Key!, e]));
      for (const { key, fullKey } of batch) {
        const error = refused.get(fullKey);
        if (!error) {
          result.deleted.push(key);
          continue;
        }
        const locked =
          error.Code === 'AccessDenied' &&
          (error.VersionId !== undefined || /object lock|retention|legal hold|worm/i.test(error.Message ?? ''));
        result.failed.push({
          key,
          reason: `${error.Code ?? 'Error'}: ${error.Message ?? 'refused'}${locked ? ' (protected by S3 Object Lock until its retention ends)' : ''}`,
          ...(locked ? { locked: true } : {}),
        });
      }
    }
    return result;
  }
}
