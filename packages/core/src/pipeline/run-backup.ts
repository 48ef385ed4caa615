import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newBackupId } from '../catalog/backup-id.js';
import {
  backupObjectKey,
  encryptedSuffix,
  isValidBackupName,
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  manifestKey,
  STATS_FILE,
} from '../catalog/layout.js';
import { MANIFEST_FORMAT, serializeManifest, type Manifest, type StoredFile } from '../catalog/manifest.js';
import { provenanceFromEnv, type RunContext } from '../context.js';
import { describeEncryption, encryptBytes, encryptStream, signDetached, type EncryptionPlan } from '../crypto/index.js';
import { formatBytes, formatDuration } from '../options/values.js';
import { BACKUP_NAME_FORM } from '../options/define.js';
import { LifeboatError, OptionError } from '../report/errors.js';
import type { BackupSource, SourceResult, SourceRun } from '../engines/source.js';
import type { Reporter } from '../report/reporter.js';
import type { Store } from '../storage/store.js';
import { LIFEBOAT_VERSION } from '../version.js';
import { HashCounter } from './stages.js';
import { formatProgress, startProgress } from './progress.js';

/** Where and how one backup is written. */
export interface BackupTarget {
  readonly store: Store;
  /** Backup name (folder under the store); defaults to the source's `defaultName`. */
  readonly name: string;
  readonly encryption: EncryptionPlan;
  /** Signs the manifest with a detached signature stored beside it. */
  readonly signing?: BackupSigning;
  /** How often progress is logged. */
  readonly progressIntervalMs?: number;
}

/** The key that signs a backup's manifest. */
export interface BackupSigning {
  readonly signingKey: string;
  readonly passphrase?: string;
  /** Fingerprint of the signing key, for summaries. */
  readonly fingerprint?: string;
}

/**
 * Loads the signing key now, so a bad key or passphrase stops the run before any data is
 * read. Without one the backup still runs, with a warning: drills and restores refuse
 * unsigned backups unless told otherwise.
 */
export async function prepareSigning(
  options: { readonly signingKey?: string; readonly signingKeyPassphrase?: string },
  reporter?: Reporter,
): Promise<BackupSigning | undefined> {
  if (!options.signingKey) {
    reporter?.warning(
      'No `signing-key` is set: this backup is NOT SIGNED, so nothing proves it was written by this job. Drills and restores refuse unsigned backups unless they set `allow-unsigned`. Make a signing key pair with `lifeboat keygen`, set `signing-key` (a secret) here and `signing-public-key` on the drill.',
    );
    return undefined;
  }
  const signing = { signingKey: options.signingKey, passphrase: options.signingKeyPassphrase };
  const { fingerprint } = await signDetached(Buffer.from('lifeboat signing key check'), signing);
  return { ...signing, fingerprint };
}

/** A backup that is complete: every object stored and confirmed, manifest written last. */
export interface BackupRunResult {
  readonly manifest: Manifest;
  readonly manifestKey: string;
  readonly payload: StoredFile;
  /** Bytes the backup holds in the store: every object, signature and manifest included (what `list` shows). */
  readonly storedBytes: number;
  /** Plaintext bytes that went into encryption. */
  readonly plaintextBytes: number;
  readonly source: SourceResult;
}

/** A stage of a backup failed; no manifest was written, so the backup does not exist. */
export class BackupFailedError extends LifeboatError {
  constructor(message: string, fix: string | undefined, cause: unknown) {
    super('backup-failed', message, fix, { cause });
  }
}

/**
 * Runs one backup: source → SHA-256/count → encrypt → SHA-256/count → store, then the
 * encrypted stats, the optional manifest signature, and the manifest LAST. On any failure the
 * objects already written are removed (best effort) and no manifest exists.
 */
export async function runBackup(source: BackupSource, target: BackupTarget, context: RunContext): Promise<BackupRunResult> {
  const { reporter } = context;
  // The name becomes a store folder: nothing else may ever be written from it.
  if (!isValidBackupName(target.name)) {
    throw new OptionError(
      `The backup name \`${target.name}\` is not usable: it must be ${BACKUP_NAME_FORM}.`,
      'Set `name` to such a name (a database whose name does not fit is backed up on its own, with its own `name`).',
    );
  }
  const started = context.now();
  const id = newBackupId(started);
  const suffix = encryptedSuffix(target.encryption.scheme);
  const payloadFile = `${source.payloadFile}${suffix}`;
  const statsFile = `${STATS_FILE}${suffix}`;
  const written: string[] = [];
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // An abort before the listener was added would never fire it.
  if (context.signal?.aborted) abort.abort(context.signal.reason);
  let run: SourceRun | undefined;

  try {
    reporter.info(`Backup ${target.name}/${id}: ${source.kind} → ${target.store.location}`);
    const producer = await source.start(abort.signal, { id, name: target.name, store: target.store, encryption: target.encryption });
    run = producer;
    // A failed producer must also fail the upload, and the other way round.
    const stopProducer = () => producer.abort(abort.signal.reason instanceof Error ? abort.signal.reason : undefined);
    abort.signal.addEventListener('abort', stopProducer, { once: true });
    if (abort.signal.aborted) stopProducer();
    // Keep an early rejection from being unhandled while the stream is still flowing.
    producer.result.catch(() => {});

    const plain = new HashCounter();
    const stored = new HashCounter();
    const upload = new PassThrough();
    const payloadKey = backupObjectKey(target.name, id, payloadFile);
    // One size per backup: progress counts stored (encrypted) bytes, as the summary and `list` do.
    const progress = startProgress(
      () => stored.bytes,
      (sample) => reporter.info(`  ${formatProgress(sample)} stored so far`),
      target.progressIntervalMs ?? 10_000,
    );
    written.push(payloadKey);
    const put = target.store
      .put(payloadKey, upload, { expectedSize: source.expectedSize, signal: abort.signal })
      .catch((error: unknown) => {
        abort.abort(error);
        throw error;
      });
    try {
      // Both settle before a failure propagates: an upload still cleaning up its partial
      // object when the run returns would leave it behind.
      let first: { error: unknown } | undefined;
      await Promise.allSettled([
        pipeline(
          producer.stream,
          plain,
          async function* (input: AsyncIterable<Buffer>) {
            yield* encryptStream(target.encryption, Readable.from(input));
          },
          stored,
          upload,
          { signal: abort.signal },
        ).catch((error: unknown) => {
          abort.abort(error);
          throw error;
        }),
        put,
      ].map((p) => p.catch((error: unknown) => {
        first ??= { error };
        throw error;
      })));
      // The failure that came first is the cause; the other side's is its consequence.
      const failure = first as { error: unknown } | undefined;
      if (failure) throw failure.error;
    } finally {
      progress.stop();
    }
    // The stream may end cleanly although the producer failed (pg_dump killed, index cut short).
    const sourceResult = await producer.result;
    const putResult = await put;
    if (putResult.size !== stored.bytes) {
      throw new LifeboatError(
        'size-mismatch',
        `The store reports ${putResult.size} bytes for ${payloadKey} but ${stored.bytes} were sent.`,
        'The upload was not stored whole; run the backup again and check the store.',
      );
    }
    const payload: StoredFile = { role: 'payload', file: payloadFile, size: stored.bytes, sha256: stored.sha256() };

    const statsBody = Buffer.from(
      JSON.stringify({ ...sourceResult.stats, plaintextBytes: plain.bytes, plaintextSha256: plain.sha256() }),
    );
    const statsBytes = Buffer.from(await encryptBytes(target.encryption, statsBody));
    const statsKey = backupObjectKey(target.name, id, statsFile);
    written.push(statsKey);
    const statsPut = await target.store.put(statsKey, Readable.from([statsBytes]), { signal: abort.signal });
    if (statsPut.size !== statsBytes.length) {
      throw new LifeboatError('size-mismatch', `The store reports ${statsPut.size} bytes for ${statsKey} but ${statsBytes.length} were sent.`, 'Run the backup again.');
    }
    const stats: StoredFile = {
      role: 'stats',
      file: statsFile,
      size: statsBytes.length,
      sha256: createHash('sha256').update(statsBytes).digest('hex'),
    };

    const extras: StoredFile[] = [];
    for (const extra of sourceResult.files ?? []) {
      const extraKey = backupObjectKey(target.name, id, extra.file);
      written.push(extraKey);
      const extraPut = await target.store.put(extraKey, Readable.from([extra.body]), { signal: abort.signal });
      if (extraPut.size !== extra.body.length) {
        throw new LifeboatError('size-mismatch', `The store reports ${extraPut.size} bytes for ${extraKey} but ${extra.body.length} were sent.`, 'Run the backup again.');
      }
      extras.push({ role: extra.role, file: extra.file, size: extra.body.length, sha256: createHash('sha256').update(extra.body).digest('hex') });
    }

    const finished = context.now();
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      id,
      name: target.name,
      tool: { name: 'lifeboat', version: LIFEBOAT_VERSION },
      source: { ...sourceResult.manifest, kind: source.kind },
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      objects: [payload, stats, ...extras],
      encryption: describeEncryption(target.encryption),
      provenance: provenanceFromEnv(context.env, hostname()),
    };
    const manifestText = serializeManifest(manifest);
    let storedBytes = payload.size + stats.size + extras.reduce((sum, e) => sum + e.size, 0) + Buffer.byteLength(manifestText);
    if (target.signing) {
      const { signature } = await signDetached(Buffer.from(manifestText), target.signing);
      const signatureKey = backupObjectKey(target.name, id, MANIFEST_SIGNATURE_FILE);
      written.push(signatureKey);
      const signatureBytes = Buffer.from(signature);
      storedBytes += signatureBytes.length;
      await target.store.put(signatureKey, Readable.from([signatureBytes]));
    }
    const key = manifestKey(target.name, id);
    // Listed before the put: a put that fails after the object landed (lost response, failed
    // size check) must not leave a manifest behind. Deleting a key never written is harmless.
    written.push(key);
    await target.store.put(key, Readable.from([Buffer.from(manifestText)]));
    reporter.info(`Backup ${target.name}/${id} complete: ${formatBytes(storedBytes)} stored in ${formatDuration(manifest.durationMs)}, ${MANIFEST_FILE} written.`);
    return { manifest, manifestKey: key, payload, storedBytes, plaintextBytes: plain.bytes, source: sourceResult };
  } catch (error) {
    abort.abort(error);
    // The producer (pg_dump, tar, its snapshot transaction, a temp dump folder) is gone before
    // this returns, so the next backup of the run does not start beside it.
    await run?.result.catch(() => {});
    await removePartial(target.store, written, context);
    if (error instanceof LifeboatError) throw error;
    throw new BackupFailedError(
      `Backup of ${target.name} failed: ${(error as Error)?.message ?? String(error)}. No manifest was written.`,
      undefined,
      error,
    );
  } finally {
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Deletes what a failed run stored; what cannot be deleted is left for retention's grace period. */
async function removePartial(store: Store, keys: string[], context: RunContext): Promise<void> {
  if (keys.length === 0) return;
  try {
    const result = await store.delete(keys);
    for (const failure of result.failed) {
      context.reporter.warning(`Could not remove partial object ${failure.key} (${failure.reason}); retention removes incomplete backups after its grace period.`);
    }
  } catch (error) {
    context.reporter.warning(`Could not remove partial objects: ${(error as Error).message}`);
  }
}
