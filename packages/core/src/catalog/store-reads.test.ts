import { describe, expect, it } from 'vitest';
import { mapLimit } from './store-reads.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('maps in order with at most `limit` calls in flight', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick(n);
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('rejects with the first failure only after every started call has settled', async () => {
    const settled: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4, 5], 3, async (n) => {
      if (n === 0) throw new Error('first');
      await tick(30);
      if (n === 1) throw new Error('second');
      settled.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('first');
    // Items 1 and 2 were in flight when 0 failed; both ran to the end before the rejection.
    expect(settled).toEqual([2]);
    await tick(60);
    // Nothing new was started after the failure.
    expect(settled).toEqual([2]);
  });
});
