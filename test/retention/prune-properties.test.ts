import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { newestComplete, newestDrilled } from '../../packages/core/src/catalog/decisions.js';
import { parseManifest } from '../../packages/core/src/catalog/manifest.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { pruneName } from '../../packages/core/src/retention/prune.js';
import { MemoryStore } from '../support/memory-store.js';
import { idAt, writeBackup, writeDrill } from '../catalog/fixtures.js';
import { withFaults } from './faulty-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-01-01T00:00:00Z');

const scenarioArb = fc.record({
  backups: fc.uniqueArray(
    fc.record({
      hoursAgo: fc.integer({ min: 0, max: 120 * 24 }),
      complete: fc.boolean(),
      drill: fc.constantFrom('none', 'none', 'pass', 'fail'),
    }),
    { maxLength: 25, size: 'large', selector: (b) => b.hoursAgo },
  ),
  policy: fc
    .record({
      keepLast: fc.integer({ min: 0, max: 4 }),
      keepDaily: fc.integer({ min: 0, max: 6 }),
      keepWeekly: fc.integer({ min: 0, max: 4 }),
      keepMonthly: fc.integer({ min: 0, max: 3 }),
    })
    .filter((p) => p.keepLast + p.keepDaily + p.keepWeekly + p.keepMonthly > 0),
  // Each object key fails to delete with this probability (some as Object Lock refusals).
  failureRate: fc.constantFrom(0, 0.1, 0.4),
  seed: fc.integer(),
});

/** A seeded coin for which keys fail, so a failing case replays exactly. */
function coin(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('the prune executor under random catalogs, policies and delete failures (fast-check)', () => {
  it('keeps manifest and payload together (unless the manifest delete itself failed), never touches what it keeps, and never deletes drill records', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ backups, policy, failureRate, seed }) => {
        const memory = new MemoryStore();
        memory.clock = () => new Date(NOW.getTime() - 200 * DAY);
        for (const b of backups) {
          const id = idAt(new Date(NOW.getTime() - b.hoursAgo * HOUR).toISOString());
          await writeBackup(memory, 'db', id, { complete: b.complete });
          if (b.drill !== 'none' && b.complete) await writeDrill(memory, 'db', { backupId: id, verdict: b.drill as 'pass' | 'fail', finishedAt: NOW.toISOString(), id: idAt(new Date(NOW.getTime() - b.hoursAgo * HOUR + 60_000).toISOString(), 'drlldr') });
        }
        const before = await readCatalog(memory, 'db');
        const protectedIds = [newestComplete(before.backups)?.id, newestDrilled(before.backups)?.id].filter(Boolean);
        const drillKeys = memory.keys('db/drills/');
        const flip = coin(seed);
        const failing = new Set(memory.keys().filter(() => flip() < failureRate));
        const store = withFaults(memory, {
          deleteFails: (key) => (failing.has(key) ? { reason: 'injected', locked: key.length % 2 === 0 } : undefined),
        });

        const report = await pruneName(store, 'db', { ...policy, incompleteGrace: DAY }, { reporter: new MemoryReporter(), env: {}, surface: 'library', tempDir: '/tmp', now: () => NOW }, { dryRun: false });

        const kept = new Set(report.decisions.filter((d) => d.action === 'keep').map((d) => d.backup.id));
        for (const id of protectedIds) expect(kept.has(id!)).toBe(true);
        // Nothing kept was asked to be deleted.
        for (const keys of store.deleteRequests) for (const key of keys) expect(kept.has(key.split('/')[1]!)).toBe(false);
        expect(memory.keys('db/drills/')).toEqual(drillKeys);
        // A folder that still has a manifest has its payload, unless that manifest's own deletion failed.
        const manifestFailed = new Set(report.deletions.filter((d) => d.failed.some((f) => f.key.endsWith('/manifest.json'))).map((d) => d.id));
        for (const key of memory.keys()) {
          if (!key.endsWith('/manifest.json')) continue;
          const id = key.split('/')[1]!;
          const manifest = parseManifest(memory.objects.get(key)!.bytes.toString(), key);
          const payloadPresent = manifest.objects.filter((o) => o.role === 'payload').every((o) => memory.objects.has(`db/${id}/${o.file}`));
          if (!payloadPresent) expect(manifestFailed.has(id)).toBe(true);
        }
        // ...and a backup whose payload is all still there keeps its manifest: it stays a usable, listed backup.
        for (const b of before.backups) {
          if (b.state !== 'complete') continue;
          const payloadFiles = b.manifest!.objects.filter((o) => o.role === 'payload').map((o) => `db/${b.id}/${o.file}`);
          if (payloadFiles.every((k) => memory.objects.has(k))) expect(memory.objects.has(`db/${b.id}/manifest.json`), b.id).toBe(true);
        }
        // Without failures, everything planned for deletion is gone.
        if (failing.size === 0) {
          for (const d of report.decisions.filter((x) => x.action === 'delete')) expect(memory.keys(`db/${d.backup.id}/`)).toEqual([]);
          expect(report.failed + report.locked).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});
