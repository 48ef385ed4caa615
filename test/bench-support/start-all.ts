/**
 * Starts several services at once and hands back only when all started. When one fails, the
 * ones that did start are stopped before the error is rethrown: `Promise.all` would reject
 * at once and leave them running with nobody holding them.
 */
export async function startAll<T extends readonly unknown[]>(
  starts: { readonly [K in keyof T]: () => Promise<T[K]> },
  stop: (started: unknown) => Promise<unknown>,
): Promise<T> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(results.filter((r) => r.status === 'fulfilled').map((r) => stop(r.value)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Stops anything with `stop()` or `cleanup()` (test services and compiled copies). */
export async function stopService(service: unknown): Promise<void> {
  const s = service as { stop?: () => Promise<unknown>; cleanup?: () => Promise<unknown> } | undefined;
  if (typeof s?.stop === 'function') await s.stop();
  else if (typeof s?.cleanup === 'function') await s.cleanup();
}
