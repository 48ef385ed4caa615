import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** One stored object as a listing shows it. */
export interface StoredObject {
  /** Key relative to the store's root (never starts with `/`). */
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
}

/** Hints for `put`. */
export interface PutOptions {
  /** Expected size in bytes, when known roughly (sizes multipart parts so the part limit is never hit). */
  readonly expectedSize?: number;
  readonly contentType?: string;
  /** Aborts the upload; the store removes anything partial. */
  readonly signal?: AbortSignal;
}

/** What `put` confirms once the object is durable. */
export interface PutResult {
  readonly key: string;
  /** Bytes the store holds for the object, as it reports them. */
  readonly size: number;
}

/** Outcome of deleting several keys: which went, which could not, and why. */
export interface DeleteResult {
  readonly deleted: string[];
  /** `locked`: the store keeps it until its own rule ends (S3 Object Lock, an artifact only expiry removes), named by `lockedBy`. */
  readonly failed: { key: string; reason: string; locked?: boolean; lockedBy?: string }[];
}

/** How far `probe` goes. */
export interface ProbeOptions {
  /** Also write a small probe object, read it back and remove it. */
  readonly write?: boolean;
  /** Create a missing store folder instead of failing (folder stores only; buckets are never created). */
  readonly create?: boolean;
  /** Only reading is needed (list, verify, gate, restore): a read-only folder passes. */
  readonly readOnly?: boolean;
}

/** What a probe that passed noticed: sentences for the report (limits, things created). */
export interface ProbeResult {
  readonly notes: readonly string[];
}

/**
 * Storage for backups. Keys use `/` separators. Implementations: local folder, S3 (and
 * S3-compatible), GitHub artifacts.
 */
export interface Store {
  readonly kind: 'local' | 's3' | 'github-artifact';
  /** Where the store points, for reports (no credentials). */
  readonly location: string;
  /**
   * Checks that the store exists and is usable before any data moves: rejects with a
   * StorageError that names the problem and its fix (missing folder or bucket, a file where a
   * folder should be, access refused, endpoint unreachable).
   */
  probe(options?: ProbeOptions): Promise<ProbeResult>;
  /** Streams `body` to `key`; resolves once the object is complete, rejects and leaves nothing partial otherwise. */
  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  /** Streams the object's bytes; rejects with a clear error when it does not exist. */
  get(key: string): Promise<Readable>;
  /** The object's size, or undefined when it does not exist. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, all pages, in no particular order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Deletes keys; never throws for a key that failed, reports it instead. */
  delete(keys: readonly string[]): Promise<DeleteResult>;
  /**
   * Opens the object's own file for reading, where the store keeps it, so a reader can hash
   * and decrypt it in place instead of copying it; the caller closes the handle. Rejects like
   * `get` when there is no such object. Only stores that keep objects as local files have it.
   */
  openLocal?(key: string): Promise<FileHandle>;
}
