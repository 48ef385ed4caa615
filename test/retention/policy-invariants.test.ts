import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../packages/core/src/retention/buckets.js';
import { applyRetention, hasKeepRule, type RetentionCandidate, type RetentionPolicy } from '../../packages/core/src/retention/policy.js';
import { retentionPolicyFrom, retentionPolicyIfAny } from '../../packages/core/src/retention/policy-options.js';
import { OptionError } from '../../packages/core/src/report/errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-01-01T00:00:00Z');

function candidate(iso: string, extra: Partial<RetentionCandidate> = {}, suffix = 'aaaaaa'): RetentionCandidate {
  const time = new Date(iso);
  const id = `${time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-${suffix}`;
  return { id, time, state: 'complete', passedDrill: false, lastWrite: time, ...extra };
}

function decide(backups: RetentionCandidate[], policy: Partial<RetentionPolicy>, now = NOW) {
  return applyRetention(backups, { incompleteGrace: 24 * HOUR, ...policy }, now);
}

function decisionOf(decisions: ReturnType<typeof decide>, id: string) {
  return decisions.find((d) => d.backup.id === id)!;
}

describe('retention safety invariants', () => {
  it('never deletes the newest complete backup, even when newer backups are incomplete or unreadable', () => {
    const backups = [
      candidate('2025-12-01T00:00:00Z'),
      candidate('2025-12-02T00:00:00Z'),
      candidate('2025-12-03T00:00:00Z', { state: 'incomplete' }),
      candidate('2025-12-04T00:00:00Z', { state: 'unreadable' }),
    ];
    // keep-within 1ms selects only the newest complete backup; the older complete one goes.
    const decisions = decide(backups, { keepWithin: 1 });
    const newest = decisionOf(decisions, backups[1]!.id);
    expect(newest.action).toBe('keep');
    expect(newest.reasons.map((r) => r.rule)).toContain('newest-complete');
    expect(decisionOf(decisions, backups[0]!.id).action).toBe('delete');
  });

  it('never deletes the newest backup that passed a drill, however old', () => {
    const backups = [
      candidate('2025-10-01T00:00:00Z', { passedDrill: true }),
      candidate('2025-11-01T00:00:00Z', { passedDrill: true }),
      candidate('2025-12-29T00:00:00Z'),
      candidate('2025-12-30T00:00:00Z'),
      candidate('2025-12-31T00:00:00Z'),
    ];
    const decisions = decide(backups, { keepDaily: 3 });
    const drilled = decisionOf(decisions, backups[1]!.id);
    expect(drilled.action).toBe('keep');
    expect(drilled.reasons).toEqual([{ rule: 'newest-drilled', detail: 'the newest backup that passed a drill is always kept' }]);
    // Only the newest drilled one is protected.
    expect(decisionOf(decisions, backups[0]!.id).action).toBe('delete');
  });

  it('does not protect a backup whose drills all failed', () => {
    const backups = [candidate('2025-11-01T00:00:00Z'), candidate('2025-12-31T00:00:00Z')];
    const decisions = decide(backups, { keepLast: 1 });
    expect(decisionOf(decisions, backups[0]!.id).action).toBe('delete');
  });

  it('deletes an incomplete backup only once nothing was written to it for the grace period', () => {
    const old = candidate('2025-12-29T00:00:00Z', { state: 'incomplete' });
    const young = candidate('2025-12-31T06:00:00Z', { state: 'incomplete' });
    const decisions = decide([old, young, candidate('2025-12-31T12:00:00Z')], { keepLast: 1 });
    expect(decisionOf(decisions, old.id).action).toBe('delete');
    expect(decisionOf(decisions, old.id).why).toMatch(/^incomplete \(no manifest\), last written 3d ago, past the 1d grace period$/);
    expect(decisionOf(decisions, young.id).action).toBe('keep');
    expect(decisionOf(decisions, young.id).reasons[0]!.rule).toBe('in-grace');
  });

  it('never deletes an incomplete backup that is still being written, however long ago it started', () => {
    // Started two days ago, but its stats object landed 10 minutes ago: a long dump still running.
    const running = candidate('2025-12-30T00:00:00Z', { state: 'incomplete', lastWrite: new Date(NOW.getTime() - 10 * 60_000) });
    const decisions = decide([running, candidate('2025-12-29T00:00:00Z')], { keepLast: 1 });
    expect(decisionOf(decisions, running.id).action).toBe('keep');
    expect(decisionOf(decisions, running.id).reasons[0]!.detail).toMatch(/may still be in progress/);
  });

  it('honours the grace period at its boundary', () => {
    const at = (ms: number) => candidate(new Date(NOW.getTime() - ms).toISOString(), { state: 'incomplete' });
    const justInside = at(24 * HOUR - 1000);
    const exactly = at(24 * HOUR);
    const decisions = decide([justInside, exactly, candidate('2025-01-01T00:00:00Z')], { keepLast: 1 });
    expect(decisionOf(decisions, justInside.id).action).toBe('keep');
    expect(decisionOf(decisions, exactly.id).action).toBe('delete');
  });

  it('never deletes a backup whose manifest cannot be read', () => {
    const unreadable = candidate('2024-01-01T00:00:00Z', { state: 'unreadable' });
    const decisions = decide([unreadable, candidate('2025-12-31T00:00:00Z')], { keepLast: 1 });
    expect(decisionOf(decisions, unreadable.id).action).toBe('keep');
    expect(decisionOf(decisions, unreadable.id).reasons[0]!.rule).toBe('unreadable');
  });

  it('keeps everything under an empty policy, old incomplete backups included', () => {
    const backups = [candidate('2020-01-01T00:00:00Z'), candidate('2020-01-02T00:00:00Z', { state: 'incomplete' }), candidate('2025-12-31T00:00:00Z')];
    for (const policy of [{}, { keepLast: 0, keepDaily: 0, keepWithin: 0 }]) {
      const decisions = decide(backups, policy);
      expect(decisions.map((d) => d.action)).toEqual(['keep', 'keep', 'keep']);
      expect(decisions.every((d) => d.reasons[0]!.rule === 'no-policy')).toBe(true);
    }
  });

  it('refuses to build a prune policy without any keep rule, saying which options to set', () => {
    const none = { incompleteGrace: DAY, keepLast: undefined, keepHourly: undefined, keepDaily: 0, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined, keepWithin: undefined };
    expect(() => retentionPolicyFrom(none)).toThrow(OptionError);
    expect(() => retentionPolicyFrom(none)).toThrow(/at least one keep rule/);
    try {
      retentionPolicyFrom(none);
    } catch (error) {
      expect((error as OptionError).fix).toMatch(/keep-daily 7, keep-weekly 4, keep-monthly 12/);
    }
  });

  it('refuses a grace period shorter than an hour', () => {
    const options = { incompleteGrace: 10 * 60_000, keepLast: 3, keepHourly: undefined, keepDaily: undefined, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined, keepWithin: undefined };
    expect(() => retentionPolicyFrom(options)).toThrow(/incomplete-grace of 10m is shorter than 1h/);
    expect(retentionPolicyFrom({ ...options, incompleteGrace: HOUR }).incompleteGrace).toBe(HOUR);
  });

  it('builds a policy only when a keep rule is set, checking it as prune does', () => {
    const none = { incompleteGrace: 10 * 60_000, keepLast: undefined, keepHourly: undefined, keepDaily: 0, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined, keepWithin: undefined };
    expect(retentionPolicyIfAny(none)).toBeUndefined();
    expect(() => retentionPolicyIfAny({ ...none, keepDaily: 7 })).toThrow(/incomplete-grace of 10m is shorter than 1h/);
    expect(retentionPolicyIfAny({ ...none, keepDaily: 7, incompleteGrace: DAY })).toMatchObject({ keepDaily: 7, incompleteGrace: DAY });
  });
});

// ---- property-based: random catalogs and random policies ----

const SUFFIXES = ['aaaaaa', 'bbbbbb', 'cccccc'];
const SPAN_MINUTES = 2 * 366 * 24 * 60;
const START = Date.parse('2024-01-01T00:00:00Z');

const catalogArb = fc
  .array(
    fc.record({
      minute: fc.integer({ min: 0, max: SPAN_MINUTES }),
      suffix: fc.constantFrom(...SUFFIXES),
      state: fc.constantFrom('complete', 'complete', 'complete', 'incomplete', 'unreadable'),
      passedDrill: fc.boolean(),
      unreadableDrill: fc.constantFrom(false, false, false, true),
      writeLagMinutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    }),
    { maxLength: 80, size: 'large' },
  )
  .map((rows) => {
    const byId = new Map<string, RetentionCandidate>();
    for (const row of rows) {
      const time = new Date(START + row.minute * 60_000);
      const id = `${time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-${row.suffix}`;
      const state = row.state as RetentionCandidate['state'];
      byId.set(id, { id, time, state, passedDrill: state === 'complete' && row.passedDrill, unreadableDrill: row.unreadableDrill, lastWrite: new Date(time.getTime() + row.writeLagMinutes * 60_000) });
    }
    return [...byId.values()];
  });

const count = fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined });
const policyArb = fc
  .record({
    keepLast: count,
    keepHourly: count,
    keepDaily: count,
    keepWeekly: count,
    keepMonthly: count,
    keepYearly: count,
    keepWithin: fc.option(fc.integer({ min: 0, max: 90 * DAY }), { nil: undefined }),
    incompleteGrace: fc.integer({ min: HOUR, max: 7 * DAY }),
  })
  .filter((p) => hasKeepRule(p));
const nowArb = fc.integer({ min: 0, max: 60 * 24 * 60 }).map((m) => new Date(START + (SPAN_MINUTES + m) * 60_000));

function newest(backups: RetentionCandidate[], pick: (b: RetentionCandidate) => boolean) {
  return [...backups].filter(pick).sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1))[0];
}

describe('retention properties (fast-check)', () => {
  const runs = { numRuns: 400 };

  it('decides every backup exactly once; kept ones have reasons, deleted ones a why', () => {
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, (backups, policy, now) => {
        const decisions = applyRetention(backups, policy, now);
        expect(decisions.map((d) => d.backup.id).sort()).toEqual(backups.map((b) => b.id).sort());
        for (const d of decisions) {
          if (d.action === 'keep') expect(d.reasons.length).toBeGreaterThan(0);
          else expect(d.reasons).toEqual([]), expect(d.why).toBeTruthy();
        }
      }),
      runs,
    );
  });

  it('keeps the newest complete backup, the newest drilled backup, every unreadable one and every one an unreadable drill record names', () => {
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, (backups, policy, now) => {
        const decisions = applyRetention(backups, policy, now);
        const keptIds = new Set(decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id));
        const complete = newest(backups, (b) => b.state === 'complete');
        const drilled = newest(backups, (b) => b.state === 'complete' && b.passedDrill);
        if (complete) expect(keptIds.has(complete.id)).toBe(true);
        if (drilled) expect(keptIds.has(drilled.id)).toBe(true);
        for (const b of backups) if (b.state === 'unreadable' || b.unreadableDrill) expect(keptIds.has(b.id)).toBe(true);
      }),
      runs,
    );
  });

  it('deletes an incomplete backup exactly when it has been idle for the grace period', () => {
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, (backups, policy, now) => {
        for (const d of applyRetention(backups, policy, now)) {
          if (d.backup.state !== 'incomplete') continue;
          const idle = now.getTime() - Math.max(d.backup.time.getTime(), d.backup.lastWrite.getTime());
          expect(d.action).toBe(idle >= policy.incompleteGrace && !d.backup.unreadableDrill ? 'delete' : 'keep');
        }
      }),
      runs,
    );
  });

  it('keeps at most N per bucket rule, one per bucket, and exactly the N newest for keep-last', () => {
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, (backups, policy, now) => {
        const decisions = applyRetention(backups, policy, now);
        for (const [rule, n] of [['hourly', policy.keepHourly], ['daily', policy.keepDaily], ['weekly', policy.keepWeekly], ['monthly', policy.keepMonthly], ['yearly', policy.keepYearly]] as const) {
          const selected = decisions.filter((d) => d.reasons.some((r) => r.rule === rule));
          expect(selected.length).toBeLessThanOrEqual(n ?? 0);
          const buckets = selected.map((d) => bucketOf(rule, d.backup.time));
          expect(new Set(buckets).size).toBe(buckets.length);
          for (const d of selected) expect(d.backup.state).toBe('complete');
        }
        const complete = backups.filter((b) => b.state === 'complete').sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
        const lastIds = decisions.filter((d) => d.reasons.some((r) => r.rule === 'last')).map((d) => d.backup.id);
        expect(lastIds).toEqual(complete.slice(0, policy.keepLast ?? 0).map((b) => b.id));
      }),
      runs,
    );
  });

  it('is idempotent: applied again to what it kept, it deletes nothing', () => {
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, (backups, policy, now) => {
        const survivors = applyRetention(backups, policy, now).filter((d) => d.action === 'keep').map((d) => d.backup);
        const again = applyRetention(survivors, policy, now);
        expect(again.filter((d) => d.action === 'delete').map((d) => d.backup.id)).toEqual([]);
      }),
      runs,
    );
  });

  it('is monotonic: raising a count never deletes a backup that was kept', () => {
    fc.assert(
      fc.property(
        catalogArb,
        policyArb,
        nowArb,
        fc.constantFrom('keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'),
        fc.integer({ min: 1, max: 5 }),
        (backups, policy, now, field, more) => {
          const before = new Set(applyRetention(backups, policy, now).filter((d) => d.action === 'keep').map((d) => d.backup.id));
          const raised = { ...policy, [field]: (policy[field] ?? 0) + more };
          const after = new Set(applyRetention(backups, raised, now).filter((d) => d.action === 'keep').map((d) => d.backup.id));
          for (const id of before) expect(after.has(id)).toBe(true);
        },
      ),
      runs,
    );
  });

  it('backups dated in the future change nothing: every other decision stays the same, and they are all kept', () => {
    const futureArb = fc.array(
      fc.record({
        aheadMinutes: fc.integer({ min: 6, max: 2 * 366 * 24 * 60 }),
        state: fc.constantFrom('complete', 'complete', 'incomplete', 'unreadable'),
        passedDrill: fc.boolean(),
      }),
      { minLength: 1, maxLength: 10 },
    );
    fc.assert(
      fc.property(catalogArb, policyArb, nowArb, futureArb, (backups, policy, now, rows) => {
        const future = rows.map((row, index): RetentionCandidate => {
          const time = new Date(now.getTime() + row.aheadMinutes * 60_000);
          const id = `${time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-zzzz${'abcdefghij'[index]}z`;
          const state = row.state as RetentionCandidate['state'];
          return { id, time, state, passedDrill: state === 'complete' && row.passedDrill, lastWrite: time };
        });
        const alone = applyRetention(backups, policy, now);
        const mixed = applyRetention([...backups, ...future], policy, now);
        const strip = (d: (typeof alone)[number]) => ({ id: d.backup.id, action: d.action, reasons: d.reasons, why: d.why });
        expect(mixed.filter((d) => !future.includes(d.backup)).map(strip)).toEqual(alone.map(strip));
        for (const d of mixed.filter((d) => future.includes(d.backup))) {
          expect(d.action).toBe('keep');
          expect(d.reasons.map((r) => r.rule)).toContain('future');
        }
      }),
      runs,
    );
  });

  it('counts keep-within from the earlier of now and the newest backup whose time can be true', () => {
    // Now falls anywhere in the catalog's span: part of it lies in the future.
    const insideArb = fc.integer({ min: 0, max: SPAN_MINUTES }).map((m) => new Date(START + m * 60_000));
    fc.assert(
      fc.property(catalogArb, insideArb, fc.integer({ min: HOUR, max: 30 * DAY }), (backups, now, within) => {
        const present = backups.filter((b) => b.time.getTime() <= now.getTime() + 5 * 60_000);
        const newestPresent = newest(present, (b) => b.state === 'complete');
        for (const d of applyRetention(backups, { keepWithin: within, incompleteGrace: DAY }, now)) {
          if (!d.reasons.some((r) => r.rule === 'within')) continue;
          expect(d.backup.time.getTime()).toBeLessThanOrEqual(now.getTime() + 5 * 60_000);
          expect(d.backup.time.getTime()).toBeGreaterThanOrEqual(Math.min(now.getTime(), newestPresent!.time.getTime()) - within);
        }
        for (const d of applyRetention(backups, { keepWithin: within, incompleteGrace: DAY }, now)) {
          if (d.backup.time.getTime() > now.getTime() + 5 * 60_000) expect(d.action).toBe('keep');
        }
      }),
      runs,
    );
  });

  it('keeps everything when no rule is set', () => {
    fc.assert(
      fc.property(catalogArb, nowArb, fc.integer({ min: HOUR, max: DAY }), (backups, now, grace) => {
        const decisions = applyRetention(backups, { incompleteGrace: grace, keepDaily: 0 }, now);
        expect(decisions.every((d) => d.action === 'keep')).toBe(true);
      }),
      runs,
    );
  });
});
