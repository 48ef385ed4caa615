import type { Readable } from 'node:stream';
import type { EncryptionPlan } from '../crypto/plan.js';
import type { Store } from '../storage/store.js';

/**
 * A running export: the plaintext stream plus a promise that settles when the producer is
 * done. `result` rejects when the producer failed (non-zero exit, protocol error) even if
 * the stream ended cleanly, so a truncated dump is never mistaken for a whole one.
 */
export interface SourceRun {
  readonly stream: Readable;
  readonly result: Promise<SourceResult>;
  /** Stops the producer early (on a downstream failure); safe to call more than once. */
  abort(reason?: Error): void;
}

/** What a finished export reports. */
export interface SourceResult {
  /** Goes to the manifest's `source` section: versions, format, compression. Operational only. */
  readonly manifest: Record<string, unknown>;
  /** Goes to `stats.json.pgp` (encrypted): table list, row counts, anything content-derived. */
  readonly stats: Record<string, unknown>;
  /**
   * Further small files stored as given in the backup's folder and listed in the manifest
   * with their role (e.g. `refs`, the shared objects a backup needs). Plaintext: operational
   * only, never content.
   */
  readonly files?: readonly { readonly role: string; readonly file: string; readonly body: Buffer }[];
}

/** The backup a source is producing, for sources that store objects of their own beside the payload. */
export interface BackupRun {
  readonly id: string;
  readonly name: string;
  readonly store: Store;
  readonly encryption: EncryptionPlan;
}

/** A producer of one backup stream (PostgreSQL dump, canister export, ...). */
export interface BackupSource {
  /** `postgres`, `canister`, ... recorded as `source.kind`. */
  readonly kind: string;
  /** The backup name to use when the operator gave none (e.g. the database name). */
  readonly defaultName: string;
  /** File name of the payload before `.pgp`, e.g. `db.pgdump`, `export.ndjson.zst`. */
  readonly payloadFile: string;
  /** Expected payload size in bytes, when it can be estimated (sizes multipart parts). */
  readonly expectedSize?: number;
  /** Starts producing; called only after encryption keys and the store were validated. `run` is given by the backup pipeline. */
  start(signal: AbortSignal, run?: BackupRun): Promise<SourceRun>;
}
