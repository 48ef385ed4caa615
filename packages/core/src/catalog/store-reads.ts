import type { Store, StoredObject } from '../storage/store.js';

/** Every object under `prefix`, all pages. A failed page rejects: a partial listing is never returned. */
export async function listAll(store: Store, prefix: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return objects;
}

/** An object too large to be what the catalog expects there (a manifest or drill record). */
export class ObjectTooLargeError extends Error {
  constructor(readonly key: string, readonly limit: number) {
    super(`${key} is larger than ${limit} bytes`);
  }
}

/**
 * Reads a small object as UTF-8 text, refusing more than `limit` bytes so a wrong object at a
 * manifest's key cannot exhaust memory. Store errors propagate unchanged.
 */
export async function readSmallObject(store: Store, key: string, limit = 1024 * 1024): Promise<string> {
  const stream = await store.get(key);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > limit) throw new ObjectTooLargeError(key, limit);
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Maps `items` with at most `limit` calls in flight; rejects with the first failure, but only
 * once every call already started has settled, so a caller's cleanup never races running work.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
