/**
 * An in-memory Store for pure tests of catalog, retention and gate logic: it keeps objects
 * in a Map and pages its listing like S3 does (`pageSize` keys per page), so code that stops
 * after the first page shows up here too. Integration tests use the real local and S3 stores.
 */
import { Readable } from 'node:stream';
import type { DeleteResult, ProbeResult, PutOptions, PutResult, Store, StoredObject } from '../../packages/core/src/storage/store.js';

interface Entry {
  bytes: Buffer;
  lastModified: Date;
}

/** A store call, recorded in order for assertions about what was read and deleted. */
export interface StoreCall {
  readonly op: 'put' | 'get' | 'head' | 'list' | 'delete';
  readonly keys: readonly string[];
}

export class MemoryStore implements Store {
  readonly kind = 'local' as const;
  readonly location = 'memory://test';
  readonly objects = new Map<string, Entry>();
  readonly calls: StoreCall[] = [];
  /** Keys per listing page. */
  pageSize = 1000;
  /** Listing pages served so far (all listings). */
  pagesServed = 0;
  /** The clock stamped on written objects. */
  clock: () => Date = () => new Date();

  /** Always there and writable (not recorded in `calls`, which tests compare as sequences). */
  async probe(): Promise<ProbeResult> {
    return { notes: [] };
  }

  async put(key: string, body: Readable, _options?: PutOptions): Promise<PutResult> {
    this.calls.push({ op: 'put', keys: [key] });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    const bytes = Buffer.concat(chunks);
    this.objects.set(key, { bytes, lastModified: this.clock() });
    return { key, size: bytes.length };
  }

  /** Writes bytes directly, optionally with a chosen last-modified time. */
  set(key: string, content: string | Buffer, lastModified: Date = this.clock()): void {
    this.objects.set(key, { bytes: Buffer.from(content), lastModified });
  }

  async get(key: string): Promise<Readable> {
    this.calls.push({ op: 'get', keys: [key] });
    const entry = this.objects.get(key);
    if (!entry) throw new Error(`memory store: no object at ${key}`);
    return Readable.from([entry.bytes]);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    this.calls.push({ op: 'head', keys: [key] });
    const entry = this.objects.get(key);
    return entry ? { key, size: entry.bytes.length, lastModified: entry.lastModified } : undefined;
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    this.calls.push({ op: 'list', keys: [prefix] });
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (let start = 0; start < keys.length || start === 0; start += this.pageSize) {
      this.pagesServed++;
      for (const key of keys.slice(start, start + this.pageSize)) {
        const entry = this.objects.get(key);
        if (entry) yield { key, size: entry.bytes.length, lastModified: entry.lastModified };
      }
      if (keys.length === 0) break;
    }
  }

  async delete(keys: readonly string[]): Promise<DeleteResult> {
    this.calls.push({ op: 'delete', keys: [...keys] });
    for (const key of keys) this.objects.delete(key);
    return { deleted: [...keys], failed: [] };
  }

  /** Keys in sorted order. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
