import { describe, expect, it } from 'vitest';
import { downsample, seriesOf, sparkline } from './series.js';

describe('sparkline', () => {
  it.each([
    { values: [], expected: '' },
    { values: [5, 5, 5], expected: '▁▁▁' },
    { values: [0, 7], expected: '▁█' },
    { values: [0, 1, 2, 3, 4, 5, 6, 7], expected: '▁▂▃▄▅▆▇█' },
    { values: [10, 0, 5], expected: '█▁▅' },
  ])('$values → "$expected"', ({ values, expected }) => {
    expect(sparkline(values)).toBe(expected);
  });
});

describe('seriesOf', () => {
  it('keeps items with a finite figure, ordered by time', () => {
    const items = [
      { at: '2026-02-01T00:00:00Z', rto: 30 },
      { at: '2026-01-01T00:00:00Z', rto: 10 },
      { at: '2026-03-01T00:00:00Z', rto: undefined },
      { at: '2026-04-01T00:00:00Z', rto: Number.NaN },
    ];
    expect(seriesOf(items, (i) => i.at, (i) => i.rto)).toEqual([
      { at: '2026-01-01T00:00:00Z', value: 10 },
      { at: '2026-02-01T00:00:00Z', value: 30 },
    ]);
  });
});

describe('downsample', () => {
  it.each([
    { values: [1, 2, 3], max: 5, expected: [1, 2, 3] },
    { values: [1, 3, 5, 7], max: 2, expected: [2, 6] },
    { values: [1, 2, 3, 4, 5], max: 2, expected: [1.5, 4] },
  ])('$values into $max', ({ values, max, expected }) => {
    expect(downsample(values, max)).toEqual(expected);
  });

  it('makes a year of days into 52 bars', () => {
    const days = Array.from({ length: 365 }, (_, i) => i);
    const bars = downsample(days, 52);
    expect(bars).toHaveLength(52);
    expect(sparkline(bars)).toMatch(/^▁.*█$/);
  });
});
