import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { MANIFEST_FILE } from '../../packages/core/src/catalog/layout.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { pruneOperation } from '../../packages/core/src/options/prune.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { prune, pruneAfterBackup, pruneStore } from '../../packages/core/src/retention/prune.js';
import type { RetentionPolicy } from '../../packages/core/src/retention/policy.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { idAt, putObject, writeBackup, writeDrill } from '../catalog/fixtures.js';
import { storeKinds } from '../catalog/stores.js';
import { withFaults } from './faulty-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Three days ahead of the wall clock: objects written now look three days old to the policy.
const NOW = new Date(Math.floor((Date.now() + 3 * DAY) / 1000) * 1000);
const POLICY: RetentionPolicy = { keepDaily: 3, incompleteGrace: 24 * HOUR };

const at = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const daily = (k: number) => idAt(at(k * DAY + HOUR), 'dddddd');
const INCOMPLETE_OLD = idAt(at(2.5 * DAY), 'iiiiii');
const INCOMPLETE_YOUNG = idAt(at(2 * HOUR), 'yyyyyy');
const UNREADABLE = idAt(at(10 * DAY), 'uuuuuu');

/** Eight daily backups (k = 0 newest), two incomplete, one unreadable, two drill records and a stray file. */
async function seed(store: Store): Promise<string[]> {
  for (let k = 0; k < 8; k++) await writeBackup(store, 'db', daily(k));
  await writeBackup(store, 'db', INCOMPLETE_OLD, { complete: false });
  await writeBackup(store, 'db', INCOMPLETE_YOUNG, { complete: false });
  await writeBackup(store, 'db', UNREADABLE);
  await putObject(store, `db/${UNREADABLE}/${MANIFEST_FILE}`, '{"format": 7}');
  await writeDrill(store, 'db', { backupId: daily(6), verdict: 'pass', finishedAt: at(6 * DAY) });
  await writeDrill(store, 'db', { backupId: daily(0), verdict: 'fail', finishedAt: at(HOUR / 2), failure: 'row count mismatch' });
  await putObject(store, 'db/notes.txt', 'operator notes');
  return keysOf(store);
}

async function keysOf(store: Store, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys.sort();
}

/** keep-daily 3 keeps k = 0..2; the drill protects k = 6; the rest of the complete ones go, and the old incomplete one. */
const DELETED = [daily(3), daily(4), daily(5), daily(7), INCOMPLETE_OLD];

describe.each(storeKinds())('prune on the $name store', (kind) => {
  it('a backup id a year in the future cannot make keep-within delete the real backups', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real);
    for (let k = 0; k < 8; k++) await writeBackup(store, 'db', daily(k));
    const forged = idAt(new Date(NOW.getTime() + 365 * DAY).toISOString(), 'forged');
    await writeBackup(store, 'db', forged);
    const ctx = context(NOW);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, { keepWithin: 3 * DAY, incompleteGrace: DAY }, ctx);
    expect(outcome.ok).toBe(true);
    // Measured from the newest real backup (not from the forgery): k = 0..3 stay, only the older real ones go.
    expect(outcome.outputs).toMatchObject({ kept: 5, deleted: 4 });
    const left = (await readCatalog(store, 'db')).backups.map((b) => b.id).sort();
    expect(left).toEqual([daily(3), daily(2), daily(1), daily(0), forged].sort());
    expect(ctx.reporter.text()).toContain(`keep ${forged} (complete): its id (`);
  });

  it('dry run prints the plan and deletes nothing', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real);
    const before = await seed(store);
    const ctx = context(NOW);
    const outcome = await pruneStore(store, { name: 'db', dryRun: true }, POLICY, ctx);
    expect(store.deleteRequests).toEqual([]);
    expect(await keysOf(store)).toEqual(before);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({ kept: 6, deleted: 5, failed: 0, locked: 0 });
    const summary = ctx.reporter.summaries.join('\n');
    expect(summary).toContain('(dry run: nothing deleted)');
    for (const id of DELETED) expect(summary).toMatch(new RegExp(`\\| \`${id}\` \\| [a-z]+ \\| [^|]+ \\| would delete \\|`));
    expect(ctx.reporter.text()).toContain(`keep ${daily(6)} (complete): the newest backup that passed a drill is always kept`);
    expect(ctx.reporter.text()).toContain(`would delete ${INCOMPLETE_OLD} (incomplete`);
  });

  it('deletes exactly what the policy does not keep, payload first and manifest last, and keeps drill records', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real);
    const before = await seed(store);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW));
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({ kept: 6, deleted: 5, failed: 0, locked: 0 });
    const expected = before.filter((k) => !DELETED.some((id) => k.startsWith(`db/${id}/`)));
    expect(await keysOf(store)).toEqual(expected);
    expect(expected.filter((k) => k.startsWith('db/drills/'))).toHaveLength(2);
    expect(expected).toContain('db/notes.txt');

    // Oldest first; each complete backup as three requests: payload, then stats, then the manifest alone.
    const requests = store.deleteRequests.map((keys) => keys.map((k) => k.split('/').slice(1).join('/')));
    expect(requests).toEqual([
      [`${daily(7)}/db.pgdump.pgp`],
      [`${daily(7)}/stats.json.pgp`],
      [`${daily(7)}/manifest.json`],
      [`${daily(5)}/db.pgdump.pgp`],
      [`${daily(5)}/stats.json.pgp`],
      [`${daily(5)}/manifest.json`],
      [`${daily(4)}/db.pgdump.pgp`],
      [`${daily(4)}/stats.json.pgp`],
      [`${daily(4)}/manifest.json`],
      [`${daily(3)}/db.pgdump.pgp`],
      [`${daily(3)}/stats.json.pgp`],
      [`${daily(3)}/manifest.json`],
      [`${INCOMPLETE_OLD}/db.pgdump.pgp`, `${INCOMPLETE_OLD}/stats.json.pgp`],
    ]);
  });

  it('a payload delete that fails leaves that backup complete and whole, reports it, and goes on with the others', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real, {
      deleteFails: (key) => (key === `db/${daily(4)}/db.pgdump.pgp` ? { reason: 'AccessDenied: Access Denied' } : undefined),
    });
    await seed(store);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW));
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs).toEqual({ kept: 6, deleted: 4, failed: 1, locked: 0 });
    expect(outcome.failure).toBe(
      `Prune of db failed for 1 backup(s): ${daily(4)} not deleted: db/${daily(4)}/db.pgdump.pgp (AccessDenied: Access Denied). Nothing else was touched; it stays a complete backup.`,
    );
    expect(await keysOf(store, `db/${daily(4)}/`)).toEqual([
      `db/${daily(4)}/db.pgdump.pgp`,
      `db/${daily(4)}/manifest.json`,
      `db/${daily(4)}/stats.json.pgp`,
    ]);
    const after = await readCatalog(store, 'db');
    expect(after.backups.find((b) => b.id === daily(4))?.state).toBe('complete');
    expect(after.backups.some((b) => b.id === daily(3) || b.id === daily(5))).toBe(false);
  });

  it('once the payload is gone, a failure on another object still removes the manifest: never complete without payload', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real, {
      deleteFails: (key) => (key === `db/${daily(5)}/stats.json.pgp` ? { reason: 'InternalError: We encountered an internal error' } : undefined),
    });
    await seed(store);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain(`${daily(5)} partly deleted: db/${daily(5)}/stats.json.pgp (InternalError: We encountered an internal error) remain without a manifest`);
    expect(await keysOf(store, `db/${daily(5)}/`)).toEqual([`db/${daily(5)}/stats.json.pgp`]);
    const after = await readCatalog(store, 'db');
    expect(after.backups.find((b) => b.id === daily(5))?.state).toBe('incomplete');
  });

  it('reports a manifest that could not be deleted after its payload went', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real, {
      deleteFails: (key) => (key === `db/${daily(3)}/manifest.json` ? { reason: 'SlowDown: Please reduce your request rate' } : undefined),
    });
    await seed(store);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain(`${daily(3)} partly deleted: db/${daily(3)}/manifest.json (SlowDown: Please reduce your request rate). Its manifest could not be deleted after its other objects were; run prune again to finish.`);
  });

  it('reports objects under S3 Object Lock and does not force them; locks alone do not fail the run', async () => {
    const { store: real, context } = await kind.open();
    const lockedIds = [daily(3), daily(4)];
    const store = withFaults(real, {
      deleteFails: (key) =>
        lockedIds.some((id) => key.startsWith(`db/${id}/`))
          ? { reason: 'AccessDenied: Access Denied because object protected by object lock. (protected by S3 Object Lock until its retention ends)', locked: true }
          : undefined,
    });
    await seed(store);
    const ctx = context(NOW);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, ctx);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({ kept: 6, deleted: 3, failed: 0, locked: 2 });
    // Only the payload was asked for; the manifest was never requested.
    for (const id of lockedIds) {
      expect(store.deleteRequests.filter((keys) => keys.some((k) => k.startsWith(`db/${id}/`)))).toEqual([[`db/${id}/db.pgdump.pgp`]]);
      expect(await keysOf(store, `db/${id}/`)).toHaveLength(3);
    }
    const warnings = ctx.reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toContain(`${daily(4)} not deleted: db/${daily(4)}/db.pgdump.pgp (locked by S3 Object Lock). Nothing else was touched; it stays a complete backup.`);
  });

  it('deletes nothing when the listing fails part way', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real);
    const before = await seed(store);
    store.faults = { list: { afterObjects: 20, error: new Error('ListObjectsV2 failed on page 2: 500 InternalError') } };
    await expect(pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW))).rejects.toThrow('page 2: 500 InternalError');
    expect(store.deleteRequests).toEqual([]);
    store.faults = {};
    expect(await keysOf(store)).toEqual(before);
  });

  it('keeps a backup intact when the store cannot be reached for its delete', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real, {
      deleteThrows: (keys) => (keys.some((k) => k.includes(daily(7))) ? new Error('connect ECONNREFUSED 127.0.0.1:9') : undefined),
    });
    await seed(store);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, POLICY, context(NOW));
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('ECONNREFUSED');
    expect(await keysOf(store, `db/${daily(7)}/`)).toHaveLength(3);
  });
});

describe('the prune operation', () => {
  const [local, s3] = storeKinds(['local', 's3']);

  it.each([local!, s3!])('reads its options, opens the store and prunes ($name)', async (kind) => {
    const { store, options, context } = await kind.open();
    await seed(store);
    const resolved = resolveOptions(
      pruneOperation,
      objectSource({
        store: options!.store,
        's3-endpoint': options!.s3Endpoint,
        's3-region': options!.s3Region,
        's3-force-path-style': options!.s3ForcePathStyle ? 'true' : undefined,
        'keep-daily': '3',
      }),
    );
    expect(resolved.incompleteGrace).toBe(24 * HOUR);
    const outcome = await prune(resolved, context(NOW));
    expect(outcome.outputs).toEqual({ kept: 6, deleted: 5, failed: 0, locked: 0 });
    expect((outcome.data as { plan: unknown[] }).plan).toHaveLength(11);
  });

  it('refuses to run without a keep rule, before touching the store', async () => {
    const { store, options, context } = await local!.open();
    const before = await seed(store);
    const resolved = resolveOptions(pruneOperation, objectSource({ store: options!.store, 'keep-daily': '0' }));
    const error = await prune(resolved, context(NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toMatch(/^Prune needs at least one keep rule/);
    expect(await keysOf(store)).toEqual(before);
  });

  it('prunes the only name when none is given, and asks for one when there are several', async () => {
    const { store, context } = await local!.open();
    await seed(store);
    const outcome = await pruneStore(store, { name: undefined, dryRun: true }, POLICY, context(NOW));
    expect(outcome.outputs.deleted).toBe(5);
    await writeBackup(store, 'shop', daily(0));
    await expect(pruneStore(store, { name: undefined, dryRun: true }, POLICY, context(NOW))).rejects.toThrow(/several names \(`db`, `shop`\)/);
  });
});

describe('pruneAfterBackup', () => {
  const [memory, local] = storeKinds(['memory', 'local']);
  const options = { keepLast: undefined, keepHourly: undefined, keepDaily: 3, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined, keepWithin: undefined, incompleteGrace: 24 * HOUR };

  it.each([memory!, local!])('prunes after the backup just taken ($name)', async (kind) => {
    const { store, context } = await kind.open();
    await seed(store);
    const result = await pruneAfterBackup(options, { store, name: 'db', backupId: daily(0) }, context(NOW));
    expect(result?.ok).toBe(true);
    expect(result?.report?.deleted).toBe(5);
  });

  it('does nothing without a keep rule', async () => {
    const { store, context } = await memory!.open();
    expect(await pruneAfterBackup({ ...options, keepDaily: undefined }, { store, name: 'db', backupId: daily(0) }, context(NOW))).toBeUndefined();
  });

  it('deletes nothing when the listing does not show the backup just written', async () => {
    const { store: real, context } = await memory!.open();
    const store = withFaults(real);
    await seed(store);
    const missing = idAt(at(0), 'zzzzzz');
    const result = await pruneAfterBackup(options, { store, name: 'db', backupId: missing }, context(NOW));
    expect(result?.ok).toBe(false);
    expect(result?.failure).toBe(
      `Prune after backup ${missing} did not run: The listing of memory://test/db/ does not show backup ${missing} as complete, though it was just written. Nothing was deleted. Run prune again later; if it persists, check the store for listing delays.`,
    );
    expect(store.deleteRequests).toEqual([]);
  });
});

describe('a drill record this version cannot read', () => {
  const [memory, local] = storeKinds(['memory', 'local']);

  it.each([memory!, local!])('keeps the backup it names, since it may record a pass ($name)', async (kind) => {
    const { store, context } = await kind.open();
    const ids = [4, 3, 2, 1, 0].map((k) => daily(k));
    for (const id of ids) await writeBackup(store, 'db', id);
    const fourth = ids[3]!;
    const record = await writeDrill(store, 'db', { backupId: fourth, verdict: 'pass', finishedAt: at(HOUR / 2) });
    // The same record as a newer Lifeboat might write it.
    await putObject(store, `db/drills/${record.id}.json`, JSON.stringify({ ...record, format: 2 }));

    const catalog = await readCatalog(store, 'db');
    expect(catalog.drills).toEqual([]);
    expect(catalog.unreadableDrills.map((u) => u.backupId)).toEqual([fourth]);
    expect(catalog.backups.filter((b) => b.unreadableDrill).map((b) => b.id)).toEqual([fourth]);

    const ctx = context(NOW);
    const outcome = await pruneStore(store, { name: 'db', dryRun: false }, { keepLast: 1, incompleteGrace: 24 * HOUR }, ctx);
    expect(outcome.outputs).toEqual({ kept: 2, deleted: 3, failed: 0, locked: 0 });
    const plan = (outcome.data as { plan: { id: string; action: string; reasons: { rule: string; detail: string }[] }[] }).plan;
    expect(plan.find((p) => p.id === fourth)).toMatchObject({
      action: 'keep',
      reasons: [{ rule: 'unreadable-drill', detail: 'a drill record naming it cannot be read; it may record a pass' }],
    });
    const left = new Set((await keysOf(store, 'db/')).map((k) => k.split('/')[1]));
    expect([...left].sort()).toEqual([ids[4]!, fourth, 'drills'].sort());
  });

  it('keeps no backup for a record whose backupId is not an id', async () => {
    const { store } = await memory!.open();
    await writeBackup(store, 'db', daily(1));
    await putObject(store, 'db/drills/x.json', JSON.stringify({ format: 2, backupId: '../other' }));
    const catalog = await readCatalog(store, 'db');
    expect(catalog.unreadableDrills).toHaveLength(1);
    expect(catalog.unreadableDrills[0]!.backupId).toBeUndefined();
    expect(catalog.backups[0]!.unreadableDrill).toBe(false);
  });
});
