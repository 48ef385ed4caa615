/**
 * Retention and stacks: keep rules applied to a stack's records decide which stack backups
 * stay, and no member backup a kept stack record names is ever deleted (fast-check, over the
 * pure policy and over the prune executor on an in-memory store).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { applyRetention, type RetentionCandidate } from '../../packages/core/src/retention/policy.js';
import { pruneName } from '../../packages/core/src/retention/prune.js';
import { stackPins, withPins, type StackRecordCandidate } from '../../packages/core/src/retention/stack-pins.js';
import { STACK_RECORD_FORMAT, stackRecordKey, writeStackRecord, type StackRecord } from '../../packages/core/src/stacks/stack-record.js';
import { MemoryStore } from '../support/memory-store.js';
import { idAt, putObject, writeBackup, writeDrill } from '../catalog/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-01-01T00:00:00Z');
const NAMES = ['shop-app', 'shop-cache'] as const;

const policyArb = fc
  .record({
    keepLast: fc.integer({ min: 0, max: 3 }),
    keepDaily: fc.integer({ min: 0, max: 4 }),
    keepWeekly: fc.integer({ min: 0, max: 3 }),
  })
  .filter((p) => p.keepLast + p.keepDaily + p.keepWeekly > 0);

/** Member backups per name (hours ago, complete or not) and stack records naming one backup of each. */
const scenarioArb = fc
  .record({
    app: fc.uniqueArray(fc.record({ hoursAgo: fc.integer({ min: 1, max: 60 * 24 }), complete: fc.boolean() }), { minLength: 1, maxLength: 12, selector: (b) => b.hoursAgo }),
    cache: fc.uniqueArray(fc.record({ hoursAgo: fc.integer({ min: 1, max: 60 * 24 }), complete: fc.boolean() }), { minLength: 1, maxLength: 12, selector: (b) => b.hoursAgo }),
    records: fc.uniqueArray(fc.record({ hoursAgo: fc.integer({ min: 0, max: 60 * 24 }), app: fc.nat(), cache: fc.nat(), drill: fc.constantFrom('none', 'none', 'pass', 'fail') }), { maxLength: 10, selector: (r) => r.hoursAgo }),
    policy: policyArb,
  })
  .map((s) => ({
    ...s,
    app: s.app.map((b) => ({ ...b, id: idAt(new Date(NOW.getTime() - b.hoursAgo * HOUR).toISOString()) })),
    cache: s.cache.map((b) => ({ ...b, id: idAt(new Date(NOW.getTime() - b.hoursAgo * HOUR).toISOString(), 'cccccc') })),
  }))
  .map((s) => ({
    ...s,
    // A record names complete member backups only, as a stack backup writes it.
    records: s.records
      .map((r) => {
        const apps = s.app.filter((b) => b.complete);
        const caches = s.cache.filter((b) => b.complete);
        if (apps.length === 0 || caches.length === 0) return undefined;
        return { ...r, id: idAt(new Date(NOW.getTime() - r.hoursAgo * HOUR).toISOString(), 'ssssss'), members: { 'shop-app': apps[r.app % apps.length]!.id, 'shop-cache': caches[r.cache % caches.length]!.id } };
      })
      .filter((r) => r !== undefined),
  }));

describe('stack retention (fast-check)', () => {
  it('the policy never deletes a member backup that a kept stack record names', () => {
    fc.assert(
      fc.property(scenarioArb, ({ app, cache, records, policy }) => {
        const full = { ...policy, incompleteGrace: DAY };
        const candidates: StackRecordCandidate[] = records.map((r) => ({
          stack: 'shop',
          id: r.id,
          time: new Date(NOW.getTime() - r.hoursAgo * HOUR),
          lastWrite: NOW,
          state: 'complete',
          passedDrill: r.drill === 'pass',
          members: Object.entries(r.members).map(([name, backupId]) => ({ name, backupId })),
        }));
        const recordDecisions = applyRetention(candidates, full, NOW);
        const pins = stackPins(recordDecisions);
        for (const [name, backups] of [['shop-app', app], ['shop-cache', cache]] as const) {
          const asCandidates: RetentionCandidate[] = backups.map((b) => ({ id: b.id, time: new Date(NOW.getTime() - b.hoursAgo * HOUR), lastWrite: new Date(NOW.getTime() - b.hoursAgo * HOUR), state: b.complete ? 'complete' : 'incomplete', passedDrill: false }));
          const deleted = new Set(applyRetention(withPins(name, asCandidates, pins), full, NOW).filter((d) => d.action === 'delete').map((d) => d.backup.id));
          for (const d of recordDecisions.filter((x) => x.action === 'keep')) {
            const member = d.backup.members.find((m) => m.name === name)!;
            expect(deleted.has(member.backupId), `${d.backup.id} names ${name}/${member.backupId}`).toBe(false);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('prune of the stack and of each member leaves every remaining stack record with all its members, and deletes only records the rules do not keep', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ app, cache, records, policy }) => {
        const store = new MemoryStore();
        store.clock = () => new Date(NOW.getTime() - 100 * DAY);
        for (const b of app) await writeBackup(store, 'shop-app', b.id, { complete: b.complete });
        for (const b of cache) await writeBackup(store, 'shop-cache', b.id, { complete: b.complete });
        for (const r of records) {
          await writeStackRecord(store, stackRecord(r.id, r.members));
          if (r.drill !== 'none') await writeDrill(store, 'shop', { backupId: r.id, verdict: r.drill as 'pass' | 'fail', finishedAt: NOW.toISOString(), id: idAt(new Date(NOW.getTime() - r.hoursAgo * HOUR + 60_000).toISOString(), 'drlldr') });
        }
        const context = { reporter: new MemoryReporter(), env: {}, surface: 'library' as const, tempDir: '/tmp', now: () => NOW };
        const full = { ...policy, incompleteGrace: DAY };
        const stack = await pruneName(store, 'shop', full, context, { dryRun: false });
        for (const name of NAMES) await pruneName(store, name, full, context, { dryRun: false });

        const remaining = records.filter((r) => store.objects.has(stackRecordKey('shop', r.id)));
        const keptIds = new Set(stack.stackRecords?.decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id) ?? []);
        expect(new Set(remaining.map((r) => r.id))).toEqual(keptIds);
        if (records.length > 0) expect(keptIds.has([...records].sort((a, b) => a.hoursAgo - b.hoursAgo)[0]!.id)).toBe(true);
        for (const r of remaining) {
          for (const [name, id] of Object.entries(r.members)) expect(store.objects.has(`${name}/${id}/manifest.json`), `${r.id} names ${name}/${id}`).toBe(true);
        }
        // A deleted record takes its signature with it; drill records stay.
        for (const key of store.keys('shop/stacks/')) expect(store.objects.has(key.replace(/\.sig$/, ''))).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});

describe('prune of a stack name', () => {
  it('deletes the records the rules do not keep, with their signatures, and reports them; a dry run deletes nothing', async () => {
    const store = new MemoryStore();
    const ids = ['2025-12-29T00:00:00Z', '2025-12-30T00:00:00Z', '2025-12-31T00:00:00Z'].map((iso) => idAt(iso, 'ssssss'));
    for (const id of ids) {
      await writeBackup(store, 'shop-app', id.replace('ssssss', 'aaaaaa'));
      await writeStackRecord(store, stackRecord(id, { 'shop-app': id.replace('ssssss', 'aaaaaa') }));
      await putObject(store, `${stackRecordKey('shop', id)}.sig`, '-----BEGIN PGP SIGNATURE-----\n...\n');
    }
    const context = { reporter: new MemoryReporter(), env: {}, surface: 'library' as const, tempDir: '/tmp', now: () => NOW };
    const dry = await pruneName(store, 'shop', { keepLast: 1, incompleteGrace: DAY }, context, { dryRun: true });
    expect(dry.stackRecords).toMatchObject({ kept: 1, deleted: 2, failed: 0 });
    expect(store.keys('shop/stacks/')).toHaveLength(6);
    const report = await pruneName(store, 'shop', { keepLast: 1, incompleteGrace: DAY }, context, { dryRun: false });
    expect(report.stackRecords).toMatchObject({ kept: 1, deleted: 2 });
    expect(report.strays).toEqual([]);
    expect(store.keys('shop/stacks/')).toEqual([stackRecordKey('shop', ids[2]!), `${stackRecordKey('shop', ids[2]!)}.sig`]);
    // With the older records gone, their members are no longer pinned.
    const member = await pruneName(store, 'shop-app', { keepLast: 1, incompleteGrace: DAY }, context, { dryRun: false });
    expect(member.decisions.map((d) => d.action)).toEqual(['keep', 'delete', 'delete']);
    expect(member.decisions[0]!.reasons.map((r) => r.rule)).toContain('stack');
  });

  it('never deletes a stack record it cannot read, and still keeps the members it names', async () => {
    const store = new MemoryStore();
    const old = idAt('2025-12-01T00:00:00Z', 'ssssss');
    const newer = idAt('2025-12-31T00:00:00Z', 'ssssss');
    for (const iso of ['2025-12-01T00:00:00Z', '2025-12-15T00:00:00Z', '2025-12-31T00:00:00Z']) await writeBackup(store, 'shop-app', idAt(iso));
    await putObject(store, stackRecordKey('shop', old), JSON.stringify({ format: 99, members: [{ name: 'shop-app', backupId: idAt('2025-12-01T00:00:00Z') }] }));
    await writeStackRecord(store, stackRecord(newer, { 'shop-app': idAt('2025-12-31T00:00:00Z') }));
    const context = { reporter: new MemoryReporter(), env: {}, surface: 'library' as const, tempDir: '/tmp', now: () => NOW };
    const stack = await pruneName(store, 'shop', { keepLast: 1, incompleteGrace: DAY }, context, { dryRun: false });
    expect(stack.stackRecords?.decisions.map((d) => [d.backup.id, d.action, d.reasons[0]?.rule])).toEqual([
      [newer, 'keep', 'last'],
      [old, 'keep', 'unreadable'],
    ]);
    const member = await pruneName(store, 'shop-app', { keepLast: 1, incompleteGrace: DAY }, context, { dryRun: false });
    expect(member.decisions.map((d) => [d.backup.id, d.action])).toEqual([
      [idAt('2025-12-31T00:00:00Z'), 'keep'],
      [idAt('2025-12-15T00:00:00Z'), 'delete'],
      [idAt('2025-12-01T00:00:00Z'), 'keep'],
    ]);
  });
});

function stackRecord(id: string, members: Record<string, string>): StackRecord {
  const at = new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`).toISOString();
  return {
    format: STACK_RECORD_FORMAT,
    stack: 'shop',
    id,
    startedAt: at,
    finishedAt: at,
    window: { first: at, last: at, skewMs: 0 },
    restoreOrder: Object.keys(members).map((n) => n.replace('shop-', '')),
    members: Object.entries(members).map(([name, backupId]) => ({ asset: name.replace('shop-', ''), engine: 'postgres', name, backupId, manifestSha256: 'a'.repeat(64), snapshotAt: at })),
    provenance: {},
  };
}
