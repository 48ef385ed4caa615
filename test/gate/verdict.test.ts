import { describe, expect, it } from 'vitest';
import { formatLimit, gateVerdict, type GateFacts } from '../../packages/core/src/gate/verdict.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2025-06-10T12:00:00Z');
const LIMITS = { maxBackupAge: 26 * HOUR, maxDrillAge: 90 * DAY };
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const freshBackup = { id: '20250610T020000Z-aaaaaa', time: ago(10 * HOUR) };
const passedDrill = { id: '20250601T000000Z-drlldr', verdict: 'pass' as const, finishedAt: ago(9 * DAY), backupId: '20250531T020000Z-aaaaaa' };

describe('gateVerdict', () => {
  it('passes with a fresh backup and a recent passing drill, reporting both ages', () => {
    const verdict = gateVerdict({ name: 'db', backup: freshBackup, drill: passedDrill }, LIMITS, NOW);
    expect(verdict).toEqual({ pass: true, backupOk: true, drillOk: true, problems: [], notes: [], backupAgeMs: 10 * HOUR, drillAgeMs: 9 * DAY });
  });

  it.each<[string, GateFacts, string[]]>([
    [
      'no backup and no drill',
      { name: 'db' },
      [
        'There is no complete backup of `db`; take a backup before deploying.',
        'No restore drill has run for `db` (one must have passed within 90d); run a restore drill.',
      ],
    ],
    [
      'a stale backup',
      { name: 'db', backup: { id: '20250607T080000Z-aaaaaa', time: ago(3 * DAY + 4 * HOUR) }, drill: passedDrill },
      ['The newest backup (20250607T080000Z-aaaaaa) is 3d 4h old (max 26h).'],
    ],
    [
      'a failed newest drill',
      { name: 'db', backup: freshBackup, drill: { ...passedDrill, verdict: 'fail', failure: 'pg_restore exited with code 1', finishedAt: ago(2 * DAY + HOUR) } },
      ['The newest drill (20250601T000000Z-drlldr of backup 20250531T020000Z-aaaaaa) failed 2d 1h ago: pg_restore exited with code 1.'],
    ],
    [
      'a stale drill',
      { name: 'db', backup: freshBackup, drill: { ...passedDrill, finishedAt: ago(95 * DAY + 2 * HOUR) } },
      ['The newest drill (20250601T000000Z-drlldr of backup 20250531T020000Z-aaaaaa) passed, but 95d 2h ago (max 90d).'],
    ],
    [
      'a backup but no drill',
      { name: 'db', backup: freshBackup },
      ['No restore drill has run for `db` (one must have passed within 90d); run a restore drill.'],
    ],
    [
      'an unreadable drill record that may be newer',
      { name: 'db', backup: freshBackup, drill: passedDrill, unreadableDrill: { key: 'db/drills/x.json', problem: 'not valid JSON' } },
      ['The drill record db/drills/x.json cannot be read (not valid JSON) and may be the newest; its verdict is unknown.'],
    ],
    [
      'an empty store',
      {},
      [
        'There is no complete backup of this store; take a backup before deploying.',
        'No restore drill has run for this store (one must have passed within 90d); run a restore drill.',
      ],
    ],
  ])('fails on %s, saying what is missing and how old things are', (_, facts, problems) => {
    const verdict = gateVerdict(facts, LIMITS, NOW);
    expect(verdict.pass).toBe(false);
    expect(verdict.problems).toEqual(problems);
  });

  it('accepts ages up to and including the limit, and not a second more', () => {
    const at = (age: number) => gateVerdict({ name: 'db', backup: { id: 'x', time: ago(age) }, drill: passedDrill }, LIMITS, NOW);
    expect(at(26 * HOUR).pass).toBe(true);
    expect(at(26 * HOUR + 1000).pass).toBe(false);
    const drillAt = (age: number) => gateVerdict({ name: 'db', backup: freshBackup, drill: { ...passedDrill, finishedAt: ago(age) } }, LIMITS, NOW);
    expect(drillAt(90 * DAY).pass).toBe(true);
    expect(drillAt(90 * DAY + 1000).pass).toBe(false);
  });

  it('counts a backup stamped a little in the future (clock skew within 5 minutes) as age 0, not negative', () => {
    const verdict = gateVerdict({ name: 'db', backup: { id: 'x', time: new Date(NOW.getTime() + 4 * 60_000) }, drill: passedDrill }, LIMITS, NOW);
    expect(verdict.backupAgeMs).toBe(0);
    expect(verdict.pass).toBe(true);
  });

  it.each([
    ['a backup an hour in the future', { backup: { id: 'x', time: new Date(NOW.getTime() + HOUR) } }, 'The newest backup (x) is dated 1h in the future (more than the 5m of clock skew allowed); its age is unknown.'],
    ['a passing drill a year in the future', { drill: { ...passedDrill, finishedAt: new Date(NOW.getTime() + 365 * DAY) } }, 'The newest drill (20250601T000000Z-drlldr) is dated 365d in the future (more than the 5m of clock skew allowed); its verdict is not trusted.'],
  ])('never passes on %s', (_, change, problem) => {
    const verdict = gateVerdict({ name: 'db', backup: freshBackup, drill: passedDrill, ...change }, LIMITS, NOW);
    expect(verdict.pass).toBe(false);
    expect(verdict.problems).toEqual([problem]);
  });
});

describe('gateVerdict with inconclusive drills', () => {
  const inconclusive = [{ id: '20250605T000000Z-incncl', failure: 'decrypt failed: encrypted to other keys' }];

  it('neither passes nor fails on a newer inconclusive drill: it looks at the newest conclusive one and says so', () => {
    const verdict = gateVerdict({ name: 'db', backup: freshBackup, drill: passedDrill, inconclusive }, LIMITS, NOW);
    expect(verdict.pass).toBe(true);
    expect(verdict.problems).toEqual([]);
    expect(verdict.notes).toEqual([
      'The newest drill (20250605T000000Z-incncl) was inconclusive (decrypt failed: encrypted to other keys): its setup stopped it, so it neither passes nor fails the gate, which looks at the newest conclusive drill, 20250601T000000Z-drlldr.',
    ]);
  });

  it('still fails when the newest conclusive drill failed', () => {
    const failed = { ...passedDrill, verdict: 'fail' as const, failure: 'restore failed' };
    const verdict = gateVerdict({ name: 'db', backup: freshBackup, drill: failed, inconclusive: [...inconclusive, { id: '20250604T000000Z-incnc2' }] }, LIMITS, NOW);
    expect(verdict.pass).toBe(false);
    expect(verdict.problems).toEqual(['The newest drill (20250601T000000Z-drlldr of backup 20250531T020000Z-aaaaaa) failed 9d ago: restore failed.']);
    expect(verdict.notes[0]).toContain('(and 1 more inconclusive after it)');
  });

  it('fails when only inconclusive drills exist, naming that none was conclusive', () => {
    const verdict = gateVerdict({ name: 'db', backup: freshBackup, inconclusive }, LIMITS, NOW);
    expect(verdict.pass).toBe(false);
    expect(verdict.problems).toEqual(['No conclusive restore drill has run for `db` (one must have passed within 90d); run a restore drill.']);
    expect(verdict.notes[0]).toContain('which has no conclusive drill to look at.');
  });
});

describe('formatLimit', () => {
  it.each([
    [26 * HOUR, '26h'],
    [90 * DAY, '90d'],
    [2 * DAY, '2d'],
    [90 * 60_000, '90m'],
    [45_000, '45s'],
    [1500, '1.50s'],
  ])('%d ms → %s', (ms, text) => expect(formatLimit(ms)).toBe(text));
});
