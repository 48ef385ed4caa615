/**
 * A Store decorator that injects failures into a real store (local folder or s3rver): a
 * listing page that fails, deletes that fail (optionally as S3 Object Lock refusals, which
 * s3rver accepts but ignores), and reads that fail. This is the only way to make a real store
 * fail on cue; the stores' own error mapping is tested with the stores. Everything else goes to the real store,
 * and every delete request is recorded in order.
 */
import type { DeleteResult, Store, StoredObject } from '../../packages/core/src/storage/store.js';

export interface Faults {
  /** Throw this after `afterObjects` objects of a listing were yielded (a page failing mid-listing). */
  list?: { afterObjects: number; error: Error };
  /** A key matching this fails to delete with the given reason. */
  deleteFails?: (key: string) => { reason: string; locked?: boolean } | undefined;
  /** Reading a key matching this fails with the given error. */
  getFails?: (key: string) => Error | undefined;
  /** The whole delete request throws (the store could not be reached). */
  deleteThrows?: (keys: readonly string[]) => Error | undefined;
}

export interface FaultyStore extends Store {
  readonly deleteRequests: string[][];
  faults: Faults;
}

/** Wraps `store` so that `faults` apply; change `faults` between steps as needed. */
export function withFaults(store: Store, faults: Faults = {}): FaultyStore {
  const deleteRequests: string[][] = [];
  const wrapper: FaultyStore = {
    kind: store.kind,
    location: store.location,
    deleteRequests,
    faults,
    probe: (options) => store.probe(options),
    put: (key, body, options) => store.put(key, body, options),
    async get(key) {
      const error = wrapper.faults.getFails?.(key);
      if (error) throw error;
      return store.get(key);
    },
    head: (key) => store.head(key),
    async *list(prefix: string): AsyncIterable<StoredObject> {
      let yielded = 0;
      for await (const object of store.list(prefix)) {
        const fault = wrapper.faults.list;
        if (fault && yielded >= fault.afterObjects) throw fault.error;
        yielded++;
        yield object;
      }
      const fault = wrapper.faults.list;
      if (fault && yielded >= fault.afterObjects) throw fault.error;
    },
    async delete(keys: readonly string[]): Promise<DeleteResult> {
      deleteRequests.push([...keys]);
      const thrown = wrapper.faults.deleteThrows?.(keys);
      if (thrown) throw thrown;
      const failed: DeleteResult['failed'] = [];
      const allowed: string[] = [];
      for (const key of keys) {
        const failure = wrapper.faults.deleteFails?.(key);
        if (failure) failed.push({ key, ...failure });
        else allowed.push(key);
      }
      const result = allowed.length > 0 ? await store.delete(allowed) : { deleted: [], failed: [] };
      return { deleted: result.deleted, failed: [...result.failed, ...failed] };
    },
  };
  return wrapper;
}
