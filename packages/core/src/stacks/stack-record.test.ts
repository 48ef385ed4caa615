import { describe, expect, it } from 'vitest';
import { consistencyWindow } from './stack-record.js';

const members = [
  { asset: 'cache', snapshotAt: '2026-12-01T10:00:40.000Z' },
  { asset: 'app', snapshotAt: '2026-12-01T10:00:00.000Z' },
  { asset: 'proofs', snapshotAt: '2026-12-01T10:00:10.000Z' },
];

describe('consistencyWindow', () => {
  it.each([
    [undefined, { first: '2026-12-01T10:00:00.000Z', last: '2026-12-01T10:00:40.000Z', skewMs: 40_000 }],
    [40_000, { first: '2026-12-01T10:00:00.000Z', last: '2026-12-01T10:00:40.000Z', skewMs: 40_000 }],
  ])('spans the first to the last snapshot within max-skew %s', (maxSkew, window) => {
    expect(consistencyWindow(members, maxSkew)).toEqual(window);
  });

  it('fails a window wider than max-skew with both members and both times', () => {
    expect(() => consistencyWindow(members, 30_000)).toThrow(
      "The members' snapshots are 40.0s apart, more than max-skew 30.0s: app at 2026-12-01T10:00:00.000Z, cache at 2026-12-01T10:00:40.000Z.",
    );
  });

  it('is no window at all for one member', () => {
    expect(consistencyWindow([members[0]!], 0).skewMs).toBe(0);
  });
});
