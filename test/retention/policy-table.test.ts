import { describe, expect, it } from 'vitest';
import { applyRetention, type RetentionCandidate, type RetentionPolicy } from '../../packages/core/src/retention/policy.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A complete backup at an ISO time, id derived the way the backup writer derives it. */
function backup(iso: string, extra: Partial<RetentionCandidate> = {}): RetentionCandidate {
  const time = new Date(iso);
  const id = `${time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-aaaaaa`;
  return { id, time, state: 'complete', passedDrill: false, lastWrite: time, ...extra };
}

function everyDay(from: string, to: string, at: string): RetentionCandidate[] {
  const out: RetentionCandidate[] = [];
  for (let t = Date.parse(`${from}T${at}Z`); t <= Date.parse(`${to}T${at}Z`); t += DAY) out.push(backup(new Date(t).toISOString()));
  return out;
}

function kept(backups: RetentionCandidate[], policy: Omit<RetentionPolicy, 'incompleteGrace'>, now: string) {
  const decisions = applyRetention(backups, { incompleteGrace: 24 * HOUR, ...policy }, new Date(now));
  return decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id.slice(0, 16));
}

describe('retention over a synthetic year of daily backups, keep-daily 7 / keep-weekly 4 / keep-monthly 12', () => {
  const year = everyDay('2025-01-01', '2025-12-31', '02:00:00');
  const decisions = applyRetention(year, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12, incompleteGrace: 24 * HOUR }, new Date('2026-01-01T00:00:00Z'));

  // Derived by hand from a calendar: 2025-12-31 is a Wednesday, so ISO week 2026-W01 runs
  // Mon 2025-12-29 .. Sun 2026-01-04; 2025-W52 ends Sun 12-28, W51 ends 12-21, W50 ends 12-14.
  // Month ends: Jan 31, Feb 28 (not a leap year), Mar 31, Apr 30, ... Nov 30, Dec 31.
  const expected: [string, string[]][] = [
    ['20251231T020000Z', ['daily 2025-12-31 (1 of 7)', 'weekly 2026-W01 (1 of 4)', 'monthly 2025-12 (1 of 12)', 'newest-complete']],
    ['20251230T020000Z', ['daily 2025-12-30 (2 of 7)']],
    ['20251229T020000Z', ['daily 2025-12-29 (3 of 7)']],
    ['20251228T020000Z', ['daily 2025-12-28 (4 of 7)', 'weekly 2025-W52 (2 of 4)']],
    ['20251227T020000Z', ['daily 2025-12-27 (5 of 7)']],
    ['20251226T020000Z', ['daily 2025-12-26 (6 of 7)']],
    ['20251225T020000Z', ['daily 2025-12-25 (7 of 7)']],
    ['20251221T020000Z', ['weekly 2025-W51 (3 of 4)']],
    ['20251214T020000Z', ['weekly 2025-W50 (4 of 4)']],
    ['20251130T020000Z', ['monthly 2025-11 (2 of 12)']],
    ['20251031T020000Z', ['monthly 2025-10 (3 of 12)']],
    ['20250930T020000Z', ['monthly 2025-09 (4 of 12)']],
    ['20250831T020000Z', ['monthly 2025-08 (5 of 12)']],
    ['20250731T020000Z', ['monthly 2025-07 (6 of 12)']],
    ['20250630T020000Z', ['monthly 2025-06 (7 of 12)']],
    ['20250531T020000Z', ['monthly 2025-05 (8 of 12)']],
    ['20250430T020000Z', ['monthly 2025-04 (9 of 12)']],
    ['20250331T020000Z', ['monthly 2025-03 (10 of 12)']],
    ['20250228T020000Z', ['monthly 2025-02 (11 of 12)']],
    ['20250131T020000Z', ['monthly 2025-01 (12 of 12)']],
  ];

  it('has one backup per day of 2025', () => {
    expect(year).toHaveLength(365);
    expect(decisions).toHaveLength(365);
  });

  it('keeps exactly the expected 20 backups, newest first', () => {
    const keptIds = decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id.slice(0, 16));
    expect(keptIds).toEqual(expected.map(([id]) => id));
  });

  it('gives every kept backup exactly the expected reasons', () => {
    for (const [id, reasons] of expected) {
      const decision = decisions.find((d) => d.backup.id.startsWith(id))!;
      const shown = decision.reasons.map((r) => (r.rule === 'newest-complete' ? r.rule : `${r.rule} ${r.detail}`));
      expect(shown, id).toEqual(reasons);
    }
  });

  it('deletes the other 345, each saying no rule selects it', () => {
    const deleted = decisions.filter((d) => d.action === 'delete');
    expect(deleted).toHaveLength(345);
    for (const d of deleted) {
      expect(d.reasons).toEqual([]);
      expect(d.why).toBe('no keep rule selects it');
    }
  });
});

describe('retention tables', () => {
  it('buckets weeks by ISO week in UTC across a year with week 53', () => {
    // 2020-W52: Dec 21-27, 2020-W53: Dec 28 - Jan 3, 2021-W01: Jan 4-10, 2021-W02: Jan 11-17.
    // 23:30 UTC: a runner east of UTC would see the next day; the buckets must not.
    const backups = everyDay('2020-12-20', '2021-01-12', '23:30:00');
    expect(kept(backups, { keepWeekly: 4 }, '2021-01-13T00:00:00Z')).toEqual([
      '20210112T233000Z',
      '20210110T233000Z',
      '20210103T233000Z',
      '20201227T233000Z',
    ]);
  });

  it('keeps the newest of each hour and the last N', () => {
    const backups: RetentionCandidate[] = [];
    for (let minutes = 0; minutes <= 280; minutes += 20) backups.push(backup(new Date(Date.parse('2025-06-01T00:00:00Z') + minutes * 60_000).toISOString()));
    expect(kept(backups, { keepHourly: 3, keepLast: 2 }, '2025-06-01T05:00:00Z')).toEqual([
      '20250601T044000Z',
      '20250601T042000Z',
      '20250601T034000Z',
      '20250601T024000Z',
    ]);
  });

  it('measures keep-within from the newest backup, not from now, so a stopped schedule keeps its last days', () => {
    const backups = everyDay('2025-01-01', '2025-01-10', '00:00:00');
    expect(kept(backups, { keepWithin: 2 * DAY }, '2025-03-01T00:00:00Z')).toEqual([
      '20250110T000000Z',
      '20250109T000000Z',
      '20250108T000000Z',
    ]);
  });

  it('never measures keep-within from a time still to come: a backup id a year ahead deletes nothing real', () => {
    const real = everyDay('2025-01-01', '2025-01-30', '02:00:00');
    const forged = backup('2026-01-30T02:00:00Z', { id: '20260130T020000Z-forged' });
    const decisions = applyRetention([...real, forged], { keepWithin: 14 * DAY, incompleteGrace: DAY }, new Date('2025-01-30T12:00:00Z'));
    const keptReal = decisions.filter((d) => d.action === 'keep' && d.backup !== forged).map((d) => d.backup.id.slice(0, 8));
    // Without the forgery: the 15 backups from 01-16 to 01-30.
    expect(keptReal).toEqual(everyDay('2025-01-16', '2025-01-30', '02:00:00').reverse().map((b) => b.id.slice(0, 8)));
    const future = decisions.find((d) => d.backup === forged)!;
    expect(future.action).toBe('keep');
    expect(future.reasons).toEqual([
      {
        rule: 'future',
        detail: 'its id (2026-01-30T02:00:00.000Z) lies 364d 14h in the future (more than the 5m of clock skew allowed): not trusted yet, so it is kept and counts for no rule',
      },
    ]);
    expect(decisions.find((d) => d.backup === real.at(-1))!.reasons.map((r) => r.rule)).toContain('newest-complete');
  });

  it('measures keep-within from now when the newest backup is a little ahead of this clock', () => {
    const backups = [...everyDay('2025-01-01', '2025-01-09', '00:00:00'), backup('2025-01-10T00:04:00Z')];
    // Now is 4 minutes before the newest backup (within the allowed skew): now is the later bound.
    expect(kept(backups, { keepWithin: 2 * DAY }, '2025-01-10T00:00:00Z')).toEqual(['20250110T000400Z', '20250109T000000Z', '20250108T000000Z']);
  });

  it('does not trust a manifest whose start lies in the future either', () => {
    const real = everyDay('2025-01-01', '2025-01-05', '00:00:00');
    const odd = backup('2025-01-05T06:00:00Z', { manifest: { startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:01:00.000Z' } });
    const decisions = applyRetention([...real, odd], { keepLast: 2, incompleteGrace: DAY }, new Date('2025-01-06T00:00:00Z'));
    expect(decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id.slice(0, 16))).toEqual(['20250105T060000Z', '20250105T000000Z', '20250104T000000Z']);
    expect(decisions.find((d) => d.backup === odd)!.reasons[0]!.detail).toMatch(/^its manifest's startedAt \(2030-01-01T00:00:00\.000Z\) lies/);
  });

  it('keeps the newest of each year and month', () => {
    const backups: RetentionCandidate[] = [];
    for (let y = 2021; y <= 2025; y++) {
      for (let m = 1; m <= 12; m++) {
        if (y === 2025 && m > 6) break;
        backups.push(backup(`${y}-${String(m).padStart(2, '0')}-01T03:00:00Z`));
      }
    }
    expect(kept(backups, { keepYearly: 3, keepMonthly: 2 }, '2025-06-02T00:00:00Z')).toEqual([
      '20250601T030000Z',
      '20250501T030000Z',
      '20241201T030000Z',
      '20231201T030000Z',
    ]);
  });

  it('fills day slots with complete backups only: a failed run later that day does not take the slot', () => {
    const backups: RetentionCandidate[] = [];
    for (const day of ['2025-03-01', '2025-03-02', '2025-03-03']) {
      backups.push(backup(`${day}T01:00:00Z`));
      backups.push(backup(`${day}T03:00:00Z`, { state: 'incomplete' }));
    }
    expect(kept(backups, { keepDaily: 2 }, '2025-03-05T00:00:00Z')).toEqual(['20250303T010000Z', '20250302T010000Z']);
  });

  it('treats a count of 0 as an unused rule', () => {
    const backups = everyDay('2025-01-01', '2025-01-05', '00:00:00');
    expect(kept(backups, { keepDaily: 0, keepLast: 2 }, '2025-01-06T00:00:00Z')).toEqual(['20250105T000000Z', '20250104T000000Z']);
  });
});
