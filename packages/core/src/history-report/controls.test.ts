import { describe, expect, it } from 'vitest';
import { controlLines, overdue, periodKey, periodsBetween, type DrillPoint } from './controls.js';

const DAY = 86_400_000;
const drill = (id: string, finishedAt: string, verdict: DrillPoint['verdict'], rpoMs = DAY / 2, rtoMs = 60_000): DrillPoint => ({
  id,
  finishedAt,
  verdict,
  rpoMs,
  rtoMs,
  manifestSha256: `sha-${id}`,
});

describe('periodKey', () => {
  it.each([
    ['2026-01-01T00:00:00Z', 'month', '2026-01'],
    ['2026-12-31T23:59:59Z', 'month', '2026-12'],
    ['2026-03-31T23:59:59Z', 'quarter', '2026-Q1'],
    ['2026-04-01T00:00:00Z', 'quarter', '2026-Q2'],
    ['2026-12-01T00:00:00Z', 'quarter', '2026-Q4'],
  ] as const)('%s as a %s is %s', (time, kind, key) => {
    expect(periodKey(new Date(time), kind)).toBe(key);
  });
});

describe('periodsBetween', () => {
  it('lists every month across a year end, and quarters', () => {
    expect(periodsBetween(new Date('2025-11-15Z'), new Date('2026-02-01Z'), 'month').map((p) => p.key)).toEqual([
      '2025-11', '2025-12', '2026-01', '2026-02',
    ]);
    expect(periodsBetween(new Date('2026-01-10Z'), new Date('2026-12-31Z'), 'quarter').map((p) => p.key)).toEqual([
      '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4',
    ]);
  });
});

describe('controlLines', () => {
  const targets = { maxRpoMs: DAY, maxRtoMs: 120_000, drillEveryMs: 31 * DAY };
  const from = new Date('2026-01-01T00:00:00Z');
  const now = new Date('2026-03-20T00:00:00Z');

  it.each([
    {
      title: 'monthly passing drills within targets meet every control',
      drills: [drill('a', '2026-01-05T00:00:00Z', 'pass'), drill('b', '2026-02-04T00:00:00Z', 'pass'), drill('c', '2026-03-03T00:00:00Z', 'pass')],
      missed: [],
    },
    {
      title: 'a failing drill misses rpo and rto that month, and cadence in each month the gap spans',
      drills: [drill('a', '2026-01-05T00:00:00Z', 'pass'), drill('b', '2026-02-04T00:00:00Z', 'fail'), drill('c', '2026-03-03T00:00:00Z', 'pass')],
      missed: ['2026-02 max-rpo', '2026-02 max-rto', '2026-02 drill-cadence', '2026-03 drill-cadence'],
    },
    {
      title: 'an RTO over the target misses only max-rto',
      drills: [drill('a', '2026-01-05T00:00:00Z', 'pass', DAY / 2, 500_000), drill('b', '2026-02-04T00:00:00Z', 'pass'), drill('c', '2026-03-03T00:00:00Z', 'pass')],
      missed: ['2026-01 max-rto'],
    },
    {
      title: 'a month without a drill has no evidence; inconclusive drills do not count',
      drills: [drill('a', '2026-01-05T00:00:00Z', 'pass'), drill('x', '2026-02-10T00:00:00Z', 'inconclusive'), drill('c', '2026-03-03T00:00:00Z', 'pass')],
      missed: ['2026-02 max-rpo', '2026-02 max-rto', '2026-02 drill-cadence', '2026-03 drill-cadence'],
    },
  ])('$title', ({ drills, missed }) => {
    const lines = controlLines(drills, targets, 'month', from, now);
    expect(lines).toHaveLength(9);
    expect(lines.filter((line) => !line.met).map((line) => `${line.period} ${line.control}`)).toEqual(missed);
    for (const line of lines.filter((l) => !l.met)) expect(line.reason).toBeTruthy();
  });

  it('points each line at the drill ids and manifest hashes of its period', () => {
    const lines = controlLines([drill('a', '2026-01-05T00:00:00Z', 'pass'), drill('b', '2026-02-04T00:00:00Z', 'pass')], targets, 'quarter', from, now);
    expect(lines.map((line) => line.control)).toEqual(['max-rpo', 'max-rto', 'drill-cadence']);
    expect(lines[0]).toMatchObject({ period: '2026-Q1', drillIds: ['a', 'b'], manifestSha256s: ['sha-a', 'sha-b'], met: true });
    // March 20 is 44 days after the last pass.
    expect(lines[2]).toMatchObject({ met: false });
  });

  it('checks only the targets declared', () => {
    expect(controlLines([], { maxRtoMs: 1 }, 'month', from, from).map((l) => l.control)).toEqual(['max-rto']);
  });
});

describe('overdue', () => {
  const now = new Date('2026-06-30T00:00:00Z');
  it.each([
    { title: 'recent drill and backup', latest: { name: 'db', lastPassingDrillAt: '2026-06-10T00:00:00Z', lastBackupAt: '2026-06-29T12:00:00Z' }, expected: [] },
    { title: 'stale drill', latest: { name: 'db', lastPassingDrillAt: '2026-05-01T00:00:00Z', lastBackupAt: '2026-06-29T12:00:00Z' }, expected: ['db drill'] },
    { title: 'stale backup', latest: { name: 'db', lastPassingDrillAt: '2026-06-10T00:00:00Z', lastBackupAt: '2026-06-27T00:00:00Z' }, expected: ['db backup'] },
    { title: 'never drilled, never backed up', latest: { name: 'db' }, expected: ['db drill', 'db backup'] },
  ])('$title', ({ latest, expected }) => {
    const found = overdue([latest], { maxRpoMs: DAY, drillEveryMs: 30 * DAY }, now);
    expect(found.map((o) => `${o.name} ${o.what}`)).toEqual(expected);
  });
});
