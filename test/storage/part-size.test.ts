import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PART_SIZE,
  ESTIMATE_HEADROOM,
  MAX_OBJECT_SIZE,
  MAX_PART_SIZE,
  MAX_PARTS,
  MAX_QUEUE_SIZE,
  MIN_PART_SIZE,
  planUpload,
  SPOOL_ABOVE,
  SPOOL_DISK_BUDGET,
  UPLOAD_MEMORY_BUDGET,
} from '@lifeboat/core';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('planUpload', () => {
  it('fits S3’s largest object, 5 TiB, in 10,000 parts', () => {
    const plan = planUpload(5 * TiB);
    expect(plan.partSize * MAX_PARTS).toBeGreaterThanOrEqual(5 * TiB);
    expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
    expect(plan.maxObjectSize).toBe(MAX_OBJECT_SIZE);
  });

  it('uses the 5 MiB minimum for small streams', () => {
    for (const size of [0, 1, 1000, 5 * MiB, 40 * MiB, 20 * GiB]) {
      expect(planUpload(size).partSize).toBe(MIN_PART_SIZE);
    }
  });

  it('leaves headroom for low estimates: twice the expected size still fits', () => {
    const expected = 300 * GiB;
    const plan = planUpload(expected);
    expect(plan.partSize * MAX_PARTS).toBeGreaterThanOrEqual(expected * ESTIMATE_HEADROOM);
    expect(plan.partSize % MiB).toBe(0);
  });

  it('without a hint, allows objects well past the SDK default of 48 GiB', () => {
    const plan = planUpload();
    expect(plan.partSize).toBe(DEFAULT_PART_SIZE);
    expect(plan.maxObjectSize).toBeGreaterThan(150 * GiB);
  });

  it('honours an explicit part size, clamped to S3’s limits', () => {
    expect(planUpload(undefined, 64 * MiB).partSize).toBe(64 * MiB);
    expect(planUpload(5 * TiB, 8 * MiB).partSize).toBe(8 * MiB);
    expect(planUpload(undefined, 1).partSize).toBe(MIN_PART_SIZE);
    expect(planUpload(undefined, 10 * GiB).partSize).toBe(MAX_PART_SIZE);
  });

  it('keeps what the upload holds within budget: parts up to 16 MiB in memory, larger ones in the spool folder; never below one at a time', () => {
    const checkPlan = (expected: number, maxParts: number) => {
      const plan = planUpload(expected, undefined, maxParts);
      expect(plan.queueSize).toBeGreaterThanOrEqual(1);
      expect(plan.queueSize).toBeLessThanOrEqual(MAX_QUEUE_SIZE);
      expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_SIZE);
      expect(plan.spool).toBe(plan.partSize > SPOOL_ABOVE);
      // Memory: the parts being sent and the one filling, 64 MiB at most.
      if (!plan.spool) expect(plan.partSize * (plan.queueSize + 1)).toBeLessThanOrEqual(4 * SPOOL_ABOVE);
      if (!plan.spool && plan.queueSize > 1) expect(plan.partSize * plan.queueSize).toBeLessThanOrEqual(UPLOAD_MEMORY_BUDGET);
      // Disk: the same count of spool files, within the disk budget unless one part is larger.
      if (plan.spool && plan.queueSize > 1) expect(plan.partSize * (plan.queueSize + 1)).toBeLessThanOrEqual(SPOOL_DISK_BUDGET);
      // Whatever was expected, up to what the cap allows, fits.
      expect(plan.maxObjectSize).toBeGreaterThanOrEqual(Math.min(expected, MAX_OBJECT_SIZE, MAX_PART_SIZE * maxParts));
    };
    fc.assert(fc.property(fc.double({ min: 0, max: 5 * TiB, noNaN: true }), fc.constantFrom(1_000, 10_000), checkPlan));
    // fast-check's doubles lean small: the large sizes, by hand.
    for (const size of [40 * GiB, 41 * GiB, 50 * GiB, 200 * GiB, 1 * TiB, 2.5 * TiB, 5 * TiB]) for (const parts of [1_000, 10_000]) checkPlan(size, parts);
    expect(planUpload(5 * TiB).queueSize).toBe(1);
    expect(planUpload(1 * GiB).queueSize).toBe(MAX_QUEUE_SIZE);
  });

  it.each<[string, number | undefined, number, number, boolean, number]>([
    // case, expected size, max parts → part size, spooled, parts in flight
    ['1 GiB: 5 MiB parts in memory', 1 * GiB, 10_000, 5 * MiB, false, 3],
    ['78 GiB: 16 MiB parts, the largest kept in memory', 78 * GiB, 10_000, 16 * MiB, false, 3],
    ['50 GiB: 11 MiB parts in memory', 50 * GiB, 10_000, 11 * MiB, false, 3],
    ['80 GiB: 17 MiB parts, spooled', 80 * GiB, 10_000, 17 * MiB, true, 3],
    ['50 GiB in 1,000 parts: 103 MiB parts, spooled, 3 in flight', 50 * GiB, 1_000, 103 * MiB, true, 3],
    ['no hint: 16 MiB parts in memory', undefined, 10_000, DEFAULT_PART_SIZE, false, 3],
    ['5 TiB: 525 MiB parts, spooled, one at a time', 5 * TiB, 10_000, 525 * MiB, true, 1],
  ])('%s', (_case, expected, maxParts, partSize, spool, queueSize) => {
    expect(planUpload(expected, undefined, maxParts)).toMatchObject({ partSize, spool, queueSize });
  });

  it('holds at most 4 parts of 5 MiB for any database 5 MiB parts can store, still sending several at once', () => {
    // The upload holds the parts in flight and the part being gathered.
    const largestWithMinimumParts = (MIN_PART_SIZE * MAX_PARTS) / ESTIMATE_HEADROOM;
    fc.assert(
      fc.property(fc.double({ min: 0, max: largestWithMinimumParts, noNaN: true }), (expected) => {
        const plan = planUpload(expected);
        expect(plan.partSize).toBe(MIN_PART_SIZE);
        expect(plan.partSize * (plan.queueSize + 1)).toBeLessThanOrEqual(20 * MiB);
        expect(plan.queueSize).toBeGreaterThanOrEqual(2);
      }),
    );
    expect(planUpload(largestWithMinimumParts + MiB).partSize).toBeGreaterThan(MIN_PART_SIZE);
  });

  it('sends fewer parts at once as parts grow, and never fewer than one', () => {
    const sizes = [1 * GiB, 80 * GiB, 160 * GiB, 320 * GiB, 1 * TiB, 5 * TiB];
    const plans = sizes.map((size) => planUpload(size));
    for (let i = 1; i < plans.length; i++) {
      expect(plans[i]!.partSize).toBeGreaterThanOrEqual(plans[i - 1]!.partSize);
      expect(plans[i]!.queueSize).toBeLessThanOrEqual(plans[i - 1]!.queueSize);
      expect(plans[i]!.queueSize).toBeGreaterThanOrEqual(1);
    }
    expect(plans.at(-1)!.queueSize).toBeLessThan(plans[0]!.queueSize);
  });
});
