import type { Readable } from 'node:stream';

/**
 * Runs a store's `put` so that `body` is always either consumed or destroyed: on failure it
 * is destroyed with the error, so the producer upstream (pg_dump, encryption) stops instead
 * of waiting on a reader that is gone. The body's errors surface as the rejection of `put`,
 * never as an unhandled 'error' event.
 */
export async function consumeOrDestroy<T>(body: Readable, put: () => Promise<T>): Promise<T> {
  const ignore = () => {};
  body.on('error', ignore);
  body.once('close', () => body.off('error', ignore));
  try {
    return await put();
  } catch (error) {
    if (!body.destroyed) body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}
