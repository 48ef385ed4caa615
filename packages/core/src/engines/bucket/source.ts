import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCatalog } from '../../catalog/catalog.js';
import { encryptedSuffix, REFS_FILE, REFS_ROLE } from '../../catalog/layout.js';
import type { RunContext } from '../../context.js';
import { encryptStream } from '../../crypto/index.js';
import { HashCounter } from '../../pipeline/stages.js';
import { LifeboatError } from '../../report/errors.js';
import { readChecked, refsSchema } from '../../retention/shared-objects.js';
import type { Store } from '../../storage/store.js';
import type { BackupRun, BackupSource, SourceResult, SourceRun } from '../source.js';
import type { ListedObject, SourceBucket } from './bucket-client.js';
import { INDEX_FILE, type BucketManifestSection, type BucketStats } from './manifest.js';
import { matchOf, planObject, refsEntrySchema, seal, type IndexEntry, type ObjectIdentity, type RefsEntry } from './object-index.js';

/** What a bucket backup needs. */
export interface BucketBackupSettings {
  readonly bucket: SourceBucket;
  readonly concurrency: number;
  readonly context: RunContext;
}

/** A listing or copy of the source bucket failed; no manifest is written. */
export class BucketSourceError extends LifeboatError {
  constructor(message: string, fix: string | undefined, cause?: unknown) {
    super('bucket-source', message, fix, { cause });
  }
}

/**
 * The bucket as a backup source: its payload is the index (NDJSON, one line per object, a
 * count line last), written while every object is copied, encrypted, to a shared object of
 * its own, or referenced when the previous complete backup of the name already holds it.
 */
export async function createBucketSource(settings: BucketBackupSettings): Promise<BackupSource> {
  const { bucket } = settings;
  // Credentials, bucket and prefix are checked before anything is stored.
  if (await bucket.isEmpty()) {
    settings.context.reporter.warning(`${bucket.location} holds no objects: the backup records an empty bucket. Check \`bucket\` if that is not expected.`);
  }
  return {
    kind: 'bucket',
    defaultName: 'bucket',
    payloadFile: INDEX_FILE,
    async start(signal: AbortSignal, run?: BackupRun): Promise<SourceRun> {
      if (!run) throw new Error('A bucket backup runs only inside the backup pipeline.');
      return startCopy(settings, run, signal);
    },
  };
}

async function startCopy(settings: BucketBackupSettings, run: BackupRun, signal: AbortSignal): Promise<SourceRun> {
  const { bucket, concurrency, context } = settings;
  const previous = await previousRefs(run.store, run.name, bucket.location, context);
  const suffix = encryptedSuffix(run.encryption.scheme);
  const written: string[] = [];
  const refs: RefsEntry[] = [];
  const stats = { objects: 0, bytes: 0, copied: 0, copiedBytes: 0, referenced: 0 } satisfies BucketStats;
  let sequence = 0;
  let settle!: { resolve: (r: SourceResult) => void; reject: (e: unknown) => void };
  const result = new Promise<SourceResult>((resolve, reject) => (settle = { resolve, reject }));

  const one = async (listed: ListedObject): Promise<string> => {
    const key = listed.key.slice(bucket.root.length);
    const id: ObjectIdentity = { url: `s3://${bucket.target.bucket}/${listed.key}`, etag: listed.etag, size: listed.size };
    const plan = planObject({ ...listed, key }, id, previous);
    let entry: IndexEntry;
    if (plan.action === 'reference') {
      entry = plan.entry;
      refs.push(plan.refs);
      stats.referenced++;
    } else {
      entry = await copyObject(listed, key, `objects/${run.id}/${sequence++}${suffix}`);
      refs.push({
        path: entry.blob,
        blobSize: entry.blobSize,
        blobSha256: entry.blobSha256,
        match: matchOf({ ...id, etag: entry.etag, size: entry.size }),
        seal: seal({ ...id, etag: entry.etag, size: entry.size }, { sha256: entry.sha256, ...(entry.versionId && { versionId: entry.versionId }) }),
      });
      stats.copied++;
      stats.copiedBytes += entry.size;
    }
    stats.objects++;
    stats.bytes += entry.size;
    return `${JSON.stringify(entry)}\n`;
  };

  const copyObject = async (listed: ListedObject, key: string, blob: string): Promise<IndexEntry> => {
    const object = await bucket.get(listed.key, signal);
    const plain = new HashCounter();
    const stored = new HashCounter();
    const storeKey = `${run.name}/${blob}`;
    written.push(storeKey);
    const put = run.store.put(storeKey, stored, { expectedSize: object.size, signal }).catch((error: unknown) => {
      object.body.destroy(error as Error);
      stored.destroy(error as Error);
      throw error;
    });
    await Promise.all([
      pipeline(object.body, plain, async function* (input: AsyncIterable<Buffer>) {
        yield* encryptStream(run.encryption, Readable.from(input));
      }, stored, { signal }).catch((error: unknown) => {
        stored.destroy(error as Error);
        throw error;
      }),
      put,
    ]).catch((error: unknown) => {
      throw new BucketSourceError(`Copying \`${key}\` from ${bucket.location} failed: ${(error as Error).message}`, (error as LifeboatError).fix, error);
    });
    const putResult = await put;
    if (putResult.size !== stored.bytes) throw new BucketSourceError(`The store holds ${putResult.size} bytes for the copy of \`${key}\`, not the ${stored.bytes} sent.`, 'Run the backup again.');
    if (plain.bytes !== object.size) throw new BucketSourceError(`\`${key}\` gave ${plain.bytes} bytes, not the ${object.size} S3 announced.`, 'Run the backup again; the object may have been rewritten meanwhile.');
    return {
      key,
      size: plain.bytes,
      sha256: plain.sha256(),
      etag: object.etag || listed.etag,
      ...((object.lastModified ?? listed.lastModified) && { lastModified: object.lastModified ?? listed.lastModified }),
      ...(object.versionId && { versionId: object.versionId }),
      blob,
      blobSize: stored.bytes,
      blobSha256: stored.sha256(),
    };
  };

  async function* lines(): AsyncGenerator<string> {
    // At most `concurrency` objects in flight; lines come out as objects finish.
    const inFlight = new Map<number, Promise<{ slot: number; line: string }>>();
    let slot = 0;
    const take = async () => {
      const done = await Promise.race(inFlight.values());
      inFlight.delete(done.slot);
      return done.line;
    };
    let finished = false;
    try {
      for await (const listed of bucket.list()) {
        signal.throwIfAborted();
        const mine = slot++;
        const task = one(listed).then((line) => ({ slot: mine, line }));
        task.catch(() => {});
        inFlight.set(mine, task);
        if (inFlight.size >= concurrency) yield await take();
      }
      while (inFlight.size > 0) yield await take();
      yield `${JSON.stringify({ end: true, objects: stats.objects, bytes: stats.bytes })}\n`;
      finished = true;
    } catch (error) {
      settle.reject(error);
      throw error;
    } finally {
      // Also when the stream was destroyed downstream (the generator is returned, not thrown into).
      if (!finished) {
        await Promise.allSettled(inFlight.values());
        await removeBlobs(run.store, written, context);
        settle.reject(signal.reason ?? new BucketSourceError(`The backup of ${bucket.location} stopped before every object was copied.`, undefined));
      }
    }
    const section: Omit<BucketManifestSection, 'kind'> = { location: bucket.location, indexFormat: 1, objectEncryption: run.encryption.scheme };
    const refsBody = Buffer.from(`${JSON.stringify({ format: 1, objects: refs })}\n`);
    context.reporter.info(`  ${stats.objects} objects under ${bucket.location}: ${stats.copied} copied (${stats.copiedBytes} bytes), ${stats.referenced} unchanged since the previous backup and referenced.`);
    settle.resolve({ manifest: section, stats, files: [{ role: REFS_ROLE, file: REFS_FILE, body: refsBody }] });
  }

  const stream = Readable.from(lines());
  return {
    stream,
    result,
    abort: (reason) => stream.destroy(reason),
  };
}

/** The refs of the newest complete backup of this bucket under the name, by `match`; empty for a first backup. */
async function previousRefs(store: Store, name: string, location: string, context: RunContext): Promise<Map<string, RefsEntry>> {
  const catalog = await readCatalog(store, name);
  const last = catalog.backups.find((b) => b.state === 'complete' && b.manifest?.source.kind === 'bucket' && b.manifest.source.location === location);
  const refs = new Map<string, RefsEntry>();
  const entry = last?.manifest?.objects.find((o) => o.role === REFS_ROLE);
  if (!last || !entry) return refs;
  const body = await readChecked(store, `${name}/${last.id}/${entry.file}`, entry.size, entry.sha256, 1024 * 1024 * 1024);
  const parsed = refsSchema.parse(JSON.parse(body.toString('utf8')));
  for (const raw of parsed.objects) {
    const ok = refsEntrySchema.safeParse(raw);
    if (ok.success) refs.set(ok.data.match, ok.data);
  }
  context.reporter.info(`  Previous backup ${last.id}: ${refs.size} objects to compare against.`);
  return refs;
}

/** Best effort: the blobs a failed backup copied; what stays is removed by retention after its grace period. */
async function removeBlobs(store: Store, keys: string[], context: RunContext): Promise<void> {
  if (keys.length === 0) return;
  try {
    const result = await store.delete(keys);
    for (const failure of result.failed) context.reporter.warning(`Could not remove copied object ${failure.key} (${failure.reason}); retention removes it after its grace period.`);
  } catch (error) {
    context.reporter.warning(`Could not remove copied objects: ${(error as Error).message}`);
  }
}
