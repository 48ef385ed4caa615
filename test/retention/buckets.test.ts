import { describe, expect, it } from 'vitest';
import { bucketOf, isoWeek } from '../../packages/core/src/retention/buckets.js';

describe('ISO weeks in UTC', () => {
  // From the ISO 8601 calendar: the week holding the year's first Thursday is week 1.
  it.each([
    ['2025-12-29T00:00:00Z', 2026, 1],
    ['2025-12-28T23:59:59Z', 2025, 52],
    ['2021-01-03T12:00:00Z', 2020, 53],
    ['2021-01-04T00:00:00Z', 2021, 1],
    ['2020-12-31T23:00:00Z', 2020, 53],
    ['2024-12-30T00:00:00Z', 2025, 1],
    ['2023-01-01T00:00:00Z', 2022, 52],
    ['2026-12-31T00:00:00Z', 2026, 53],
    ['2027-01-01T00:00:00Z', 2026, 53],
    ['2025-06-15T00:00:00Z', 2025, 24],
  ])('%s is in %i-W%i', (iso, year, week) => {
    expect(isoWeek(new Date(iso))).toEqual({ year, week });
  });
});

describe('bucketOf', () => {
  const time = new Date('2025-03-14T23:45:10Z');
  it.each([
    ['hourly', '2025-03-14T23'],
    ['daily', '2025-03-14'],
    ['weekly', '2025-W11'],
    ['monthly', '2025-03'],
    ['yearly', '2025'],
  ] as const)('%s → %s, in UTC whatever the local zone', (unit, bucket) => {
    expect(bucketOf(unit, time)).toBe(bucket);
  });
});
