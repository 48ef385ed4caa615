/**
 * A bounded hand-over between concurrent producers and one stream consumer: `push` waits
 * while `capacity` items are queued, so a slow consumer (compression, encryption, upload)
 * slows the producers instead of letting records pile up in memory.
 */
export class BoundedChannel<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  private itemWaiter: (() => void) | undefined;
  private closed = false;
  private failure: Error | undefined;

  constructor(private readonly capacity: number) {}

  /** Queues one item; resolves once it fits, rejects once the channel failed. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.failure) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('push after close');
    this.items.push(item);
    this.wakeConsumer();
  }

  /** No more items: the consumer ends after draining the queue. */
  close(): void {
    this.closed = true;
    this.wakeConsumer();
  }

  /** Stops both sides: pending and later pushes reject, the consumer throws. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.items.length = 0;
    this.wakeConsumer();
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  /** Items in order until closed; throws the failure. */
  async *drain(): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        const item = this.items.shift();
        if (item !== undefined) {
          this.spaceWaiters.shift()?.();
          yield item;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.itemWaiter = resolve));
      }
    } finally {
      // The consumer went away (stream destroyed downstream): stop the producers.
      if (!this.closed || this.items.length > 0) this.fail(this.failure ?? new Error('The export stream was closed before the export finished.'));
    }
  }

  private wakeConsumer(): void {
    const wake = this.itemWaiter;
    this.itemWaiter = undefined;
    wake?.();
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; the first failure stops new calls and is thrown. */
export async function forEachLimit<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator =
    Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  let failed: unknown;
  let hasFailed = false;
  const worker = async () => {
    while (!hasFailed) {
      const next = await iterator.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (error) {
        if (!hasFailed) {
          hasFailed = true;
          failed = error;
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (hasFailed) throw failed;
}

/** A counting semaphore: at most `size` holders at once. */
export class Semaphore {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Runs `fn` while holding one slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    }
  }
}
