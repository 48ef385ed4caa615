import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_SIZE, MAX_PART_SIZE, MIN_PART_SIZE, planUpload } from './part-size.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('planUpload with a cap on parts (`s3-max-parts`)', () => {
  it.each<[string, number | undefined, number | undefined, number, number, number]>([
    // case, expected size, part size override, max parts → part size, max object size
    ['10 GiB in 10,000 parts: the 5 MiB minimum', 10 * GiB, undefined, 10_000, MIN_PART_SIZE, MIN_PART_SIZE * 10_000],
    ['10 GiB in 1,000 parts: 21 MiB parts (2× headroom)', 10 * GiB, undefined, 1_000, 21 * MiB, 21 * MiB * 1_000],
    ['1 GiB in 1,000 parts: still the minimum', 1 * GiB, undefined, 1_000, MIN_PART_SIZE, MIN_PART_SIZE * 1_000],
    ['no hint in 1,000 parts: the reach 16 MiB parts have in 10,000', undefined, undefined, 1_000, 160 * MiB, 160 * MiB * 1_000],
    ['5 TiB in 1,000 parts: capped at 5 GiB parts, which hold less than 5 TiB', 5 * TiB, undefined, 1_000, MAX_PART_SIZE, MAX_PART_SIZE * 1_000],
    ['an explicit part size in 1,000 parts', undefined, 64 * MiB, 1_000, 64 * MiB, 64 * MiB * 1_000],
    ['5 TiB in 10,000 parts: S3’s maximum object', 5 * TiB, undefined, 10_000, 525 * MiB, MAX_OBJECT_SIZE],
    ['a cap above S3’s own is S3’s own', 10 * GiB, undefined, 50_000, MIN_PART_SIZE, MIN_PART_SIZE * 10_000],
  ])('%s', (_case, expected, override, maxParts, partSize, maxObjectSize) => {
    const plan = planUpload(expected, override, maxParts);
    expect(plan.partSize).toBe(partSize);
    expect(plan.maxObjectSize).toBe(maxObjectSize);
    expect(plan.maxParts).toBe(Math.min(maxParts, 10_000));
  });

  it.each<[string, number, number | undefined, number, boolean]>([
    // case, expected size, override, max parts → fits (the store refuses up front when not)
    ['twice the expected size fits with the planned parts', 100 * GiB, undefined, 1_000, true],
    ['4 TiB in 1,000 parts of at most 5 GiB fits', 4 * TiB, undefined, 1_000, true],
    ['6 TiB never fits', 6 * TiB, undefined, 10_000, false],
    ['5 TiB cannot fit in 1,000 parts', 5 * TiB, undefined, 1_000, false],
    ['an explicit 5 MiB part size holds 4.9 GiB in 1,000 parts', 6 * GiB, 5 * MiB, 1_000, false],
  ])('%s', (_case, expected, override, maxParts, fits) => {
    expect(expected <= planUpload(expected, override, maxParts).maxObjectSize).toBe(fits);
  });
});
