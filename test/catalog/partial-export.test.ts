/**
 * A canister export that could not finish still stores what it had, with a manifest that
 * records `source.complete: false`. Such a backup is incomplete everywhere the catalog is read.
 */
import { describe, expect, it } from 'vitest';
import { PARTIAL_EXPORT, readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { manifestKey, serializeManifest } from '../../packages/core/src/catalog/index.js';
import { listStore } from '../../packages/core/src/catalog/list.js';
import { verifyStore } from '../../packages/core/src/catalog/verify.js';
import { chooseBackup } from '../../packages/core/src/drill/select.js';
import { readGateFacts } from '../../packages/core/src/gate/gate.js';
import { applyRetention } from '../../packages/core/src/retention/policy.js';
import { pruneStore } from '../../packages/core/src/retention/prune.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { idAt, putObject, writeBackup } from './fixtures.js';
import { storeKinds } from './stores.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date(Math.floor((Date.now() + 3 * DAY) / 1000) * 1000);
const at = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const GOOD = idAt(at(2 * DAY), 'gggggg');
const PARTIAL = idAt(at(DAY), 'pppppp');

/** Writes a backup, then rewrites its manifest as a canister export that stopped short. */
async function writePartialExport(store: Store, name: string, id: string): Promise<void> {
  const { manifest } = await writeBackup(store, name, id);
  const partial = { ...manifest, source: { kind: 'canister', complete: false, usersMissing: 3 } };
  await putObject(store, manifestKey(name, id), serializeManifest(partial));
}

describe.each(storeKinds(['memory', 'local']))('a partial export on the $name store', (kind) => {
  async function seeded() {
    const { store, context } = await kind.open();
    await writeBackup(store, 'app', GOOD);
    await writePartialExport(store, 'app', PARTIAL);
    return { store, ctx: context(NOW) };
  }

  it('is listed as incomplete, with the reason, and is not the newest backup', async () => {
    const { store, ctx } = await seeded();
    const catalog = await readCatalog(store, 'app');
    const partial = catalog.backups.find((b) => b.id === PARTIAL)!;
    expect(partial.state).toBe('incomplete');
    expect(partial.problem).toBe(PARTIAL_EXPORT);
    expect(partial.manifest?.source.kind).toBe('canister');

    const outcome = await listStore(store, { name: 'app' }, ctx);
    expect(outcome.outputs).toMatchObject({ complete: 1, incomplete: 1, 'newest-backup-id': GOOD });
    const view = (outcome.data as { names: { backups: { id: string; state: string; problem?: string }[] }[] }).names[0]!;
    expect(view.backups.find((b) => b.id === PARTIAL)).toMatchObject({ state: 'incomplete', problem: PARTIAL_EXPORT });
    expect(ctx.reporter.lines).toContainEqual({ level: 'warning', message: `app/${PARTIAL} is incomplete: ${PARTIAL_EXPORT}.` });
  });

  it('is skipped by the gate and by drill selection', async () => {
    const { store } = await seeded();
    expect((await readGateFacts(store, 'app', NOW)).backup?.id).toBe(GOOD);
    const { backups } = await readCatalog(store, 'app');
    expect(chooseBackup(backups, { now: NOW })).toMatchObject({ chosen: { id: GOOD }, skipped: [PARTIAL] });
    expect(chooseBackup(backups, { backupId: PARTIAL }).problem).toMatch(/is incomplete \(export incomplete/);
  });

  it('fills no keep rule and is deleted, manifest last, only once past the grace period', async () => {
    const { store, ctx } = await seeded();
    const { backups } = await readCatalog(store, 'app');
    const inGrace = applyRetention(backups, { keepLast: 5, incompleteGrace: 7 * DAY }, NOW).find((d) => d.backup.id === PARTIAL)!;
    expect(inGrace.action).toBe('keep');
    expect(inGrace.reasons.map((r) => r.rule)).toEqual(['in-grace']);

    const outcome = await pruneStore(store, { name: 'app', dryRun: false }, { keepLast: 5, incompleteGrace: HOUR }, ctx);
    expect(outcome.outputs).toEqual({ kept: 1, deleted: 1, failed: 0, locked: 0 });
    const plan = (outcome.data as { plan: { id: string; why?: string }[] }).plan;
    expect(plan.find((p) => p.id === PARTIAL)!.why).toMatch(/^incomplete \(export incomplete: its manifest records source.complete false\), last written \d+\w ago, past the 1h grace period$/);
    const left: string[] = [];
    for await (const o of store.list('app/')) left.push(o.key);
    expect(left.every((k) => k.startsWith(`app/${GOOD}/`))).toBe(true);
  });

  it('fails verify even though its bytes match', async () => {
    const { store, ctx } = await seeded();
    const outcome = await verifyStore(store, { name: 'app', backupId: PARTIAL, sample: undefined }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain(`app/${PARTIAL}: ${PARTIAL_EXPORT}.`);
    const [result] = (outcome.data as { results: { checks: { ok: boolean }[] }[] }).results;
    expect(result!.checks.length).toBeGreaterThan(0);
    expect(result!.checks.every((c) => c.ok)).toBe(true);
  });
});
