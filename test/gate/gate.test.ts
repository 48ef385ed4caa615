import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { gateOperation } from '../../packages/core/src/options/gate.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { OptionError, UnsupportedError } from '../../packages/core/src/report/errors.js';
import { gate, gateStore } from '../../packages/core/src/gate/gate.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { idAt, putObject, writeBackup, writeDrill } from '../catalog/fixtures.js';
import { storeKinds } from '../catalog/stores.js';
import { withFaults } from '../retention/faulty-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2025-06-10T12:00:00Z');
const LIMITS = { maxBackupAge: 26 * HOUR, maxDrillAge: 90 * DAY, backupIfStale: false };
const at = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** The gate reads manifests and drill records only: any other read fails the test. */
function onlyMetadataReads(store: Store) {
  return withFaults(store, {
    getFails: (key) => (key.endsWith('/manifest.json') || /\/drills\/[^/]+\.json$/.test(key) ? undefined : new Error(`the gate read ${key}`)),
  });
}

describe.each(storeKinds())('gate on the $name store', (kind) => {
  async function seeded(build: (store: Store) => Promise<void>) {
    const { store, context } = await kind.open();
    await build(store);
    const ctx = context(NOW);
    return { store: onlyMetadataReads(store), ctx };
  }

  it('passes with a fresh backup and a recent passing drill, with ids, ages and a job summary', async () => {
    const backupId = idAt(at(10 * HOUR));
    const drilled = idAt(at(9 * DAY + 5 * HOUR));
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', drilled);
      await writeBackup(s, 'db', backupId);
      await writeBackup(s, 'db', idAt(at(HOUR), 'zzzzzz'), { complete: false }); // a run in progress
      await writeDrill(s, 'db', { backupId: drilled, verdict: 'pass', finishedAt: at(9 * DAY), id: idAt(at(9 * DAY + HOUR), 'drlldr') });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({
      verdict: 'pass',
      'backup-id': backupId,
      'backup-age-seconds': 10 * 3600,
      'drill-id': idAt(at(9 * DAY + HOUR), 'drlldr'),
      'drill-age-seconds': 9 * 86400,
      'backup-taken': undefined,
    });
    const summary = ctx.reporter.summaries.join('\n');
    expect(summary).toContain('### ✅ Backup gate: pass for `db`');
    expect(summary).toContain(`| Newest backup | \`${backupId}\` | 10h | 26h | ✅ fresh |`);
    expect(summary).toContain(`| Newest drill | \`${idAt(at(9 * DAY + HOUR), 'drlldr')}\` | 9d | 90d | ✅ passed |`);
  });

  it('fails when the newest drill failed, even though an older one passed', async () => {
    const backupId = idAt(at(2 * HOUR));
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', backupId);
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: at(5 * DAY), id: idAt(at(5 * DAY + HOUR), 'passed') });
      await writeDrill(s, 'db', { backupId, verdict: 'fail', finishedAt: at(DAY), failure: 'check orders-not-empty: expected >= 1, got 0', id: idAt(at(DAY + HOUR), 'failed') });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs.verdict).toBe('fail');
    expect(outcome.failure).toBe(
      `Gate failed for db: The newest drill (${idAt(at(DAY + HOUR), 'failed')} of backup ${backupId}) failed 1d ago: check orders-not-empty: expected >= 1, got 0.`,
    );
    expect(ctx.reporter.summaries.join('\n')).toContain('❌ failed');
  });

  it('skips a newer inconclusive drill and gates on the newest conclusive one, saying so', async () => {
    const backupId = idAt(at(2 * HOUR));
    const passed = idAt(at(5 * DAY + HOUR), 'passed');
    const skipped = idAt(at(HOUR + 30 * 60_000), 'incncl');
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', backupId);
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: at(5 * DAY), id: passed });
      await writeDrill(s, 'db', { backupId, verdict: 'inconclusive', finishedAt: at(HOUR), failure: 'restore failed: Cannot reach the database', id: skipped });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs['drill-id']).toBe(passed);
    expect(outcome.data).toMatchObject({ inconclusive: [{ id: skipped, failure: 'restore failed: Cannot reach the database' }] });
    expect(ctx.reporter.summaries.join('\n')).toContain(`- The newest drill (${skipped}) was inconclusive (restore failed: Cannot reach the database)`);
  });

  it('a drill record dated in the future cannot turn a failing gate green', async () => {
    const backupId = idAt(at(2 * HOUR));
    const failed = idAt(at(DAY + HOUR), 'failed');
    const future = new Date(NOW.getTime() + 365 * DAY).toISOString();
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', backupId);
      await writeDrill(s, 'db', { backupId, verdict: 'fail', finishedAt: at(DAY), failure: 'pg_restore exited with code 1', id: failed });
      // A passing record "finished" a year from now: named by a past id, and by a future one.
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: future, id: idAt(at(HOUR), 'forged') });
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: future });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs['drill-id']).toBe(failed);
    expect(outcome.failure).toBe(`Gate failed for db: The newest drill (${failed} of backup ${backupId}) failed 1d ago: pg_restore exited with code 1.`);
    const warnings = ctx.reporter.text();
    expect(warnings).toMatch(new RegExp(`Drill record db/drills/${idAt(at(HOUR), 'forged')}\\.json is ignored: its startedAt \\(\\S+\\) lies 364d 23h in the future`));
    expect(warnings).toMatch(/Drill record db\/drills\/\d{8}T\d{6}Z-drlldr\.json is ignored: its id \(/);
    expect(ctx.reporter.summaries.join('\n')).toContain('**Not trusted** (dated in the future, or unsigned):');
  });

  it('a backup dated in the future does not count as the fresh backup', async () => {
    const stale = idAt(at(3 * DAY));
    const future = idAt(new Date(NOW.getTime() + 365 * DAY).toISOString(), 'future');
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', stale);
      await writeBackup(s, 'db', future);
      await writeDrill(s, 'db', { backupId: stale, verdict: 'pass', finishedAt: at(2 * DAY) });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs['backup-id']).toBe(stale);
    expect(outcome.failure).toBe(`Gate failed for db: The newest backup (${stale}) is 3d old (max 26h).`);
    expect(ctx.reporter.text()).toContain(`Backup ${future} is ignored: its id (`);
  });

  it('fails when there is no backup at all', async () => {
    const { store, ctx } = await seeded(async () => {});
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe(
      'Gate failed for db: There is no complete backup of `db`; take a backup before deploying. No restore drill has run for `db` (one must have passed within 90d); run a restore drill.',
    );
    expect(outcome.outputs['backup-id']).toBeUndefined();
  });

  it('fails when the only backups are incomplete', async () => {
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', idAt(at(HOUR)), { complete: false });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.failure).toContain('There is no complete backup of `db`');
  });

  it('fails when the newest backup is stale, saying how old it is', async () => {
    const old = idAt(at(3 * DAY + 4 * HOUR));
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', old);
      await writeDrill(s, 'db', { backupId: old, verdict: 'pass', finishedAt: at(3 * DAY) });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe(`Gate failed for db: The newest backup (${old}) is 3d 4h old (max 26h).`);
    expect(outcome.outputs['backup-age-seconds']).toBe((3 * 24 + 4) * 3600);
  });

  it('fails when the newest drill passed too long ago', async () => {
    const backupId = idAt(at(HOUR));
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', backupId);
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: at(120 * DAY), id: idAt(at(120 * DAY + HOUR), 'drlldr') });
    });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe(`Gate failed for db: The newest drill (${idAt(at(120 * DAY + HOUR), 'drlldr')} of backup ${backupId}) passed, but 120d ago (max 90d).`);
  });

  it('takes a fresh backup first with backup-if-stale, and gates on it', async () => {
    const old = idAt(at(3 * DAY));
    const fresh = idAt(NOW.toISOString(), 'ffffff');
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', old);
      await writeDrill(s, 'db', { backupId: old, verdict: 'pass', finishedAt: at(2 * DAY) });
    });
    let calls = 0;
    const runBackup = async () => {
      calls++;
      await writeBackup(store, 'db', fresh);
      return { ok: true, outputs: { 'backup-id': fresh } };
    };
    const outcome = await gateStore(store, { name: 'db', ...LIMITS, backupIfStale: true }, ctx, { runBackup });
    expect(calls).toBe(1);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toMatchObject({ verdict: 'pass', 'backup-id': fresh, 'backup-taken': fresh, 'backup-age-seconds': 0 });
    expect(ctx.reporter.summaries.join('\n')).toContain(`A fresh backup was taken first: \`${fresh}\``);
  });

  it('with no name, takes the fresh backup under the only name in the store and gates on it', async () => {
    const old = idAt(at(3 * DAY));
    const fresh = idAt(NOW.toISOString(), 'ffffff');
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'app', old);
      await writeDrill(s, 'app', { backupId: old, verdict: 'pass', finishedAt: at(2 * DAY) });
    });
    const names: (string | undefined)[] = [];
    const runBackup = async (name: string | undefined) => {
      names.push(name);
      // As the backup operation does: without a name, the database's name.
      await writeBackup(store, name ?? 'shopdb', fresh);
      return { ok: true, outputs: { 'backup-id': fresh } };
    };
    const outcome = await gateStore(store, { name: undefined, ...LIMITS, backupIfStale: true }, ctx, { runBackup });
    expect(names).toEqual(['app']);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toMatchObject({ verdict: 'pass', 'backup-id': fresh, 'backup-taken': fresh });
  });

  it('fails, saying why, when the fresh backup of backup-if-stale fails', async () => {
    const { store, ctx } = await seeded(async () => {});
    const runBackup = async () => ({ ok: false, outputs: {}, failure: 'pg_dump: error: connection to server failed' });
    const outcome = await gateStore(store, { name: 'db', ...LIMITS, backupIfStale: true }, ctx, { runBackup });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('The fresh backup (backup-if-stale) failed: pg_dump: error: connection to server failed.');
  });

  it('does not run a backup when the newest one is fresh', async () => {
    const backupId = idAt(at(HOUR));
    const { store, ctx } = await seeded(async (s) => {
      await writeBackup(s, 'db', backupId);
      await writeDrill(s, 'db', { backupId, verdict: 'pass', finishedAt: at(DAY) });
    });
    let calls = 0;
    const outcome = await gateStore(store, { name: 'db', ...LIMITS, backupIfStale: true }, ctx, { runBackup: async () => (calls++, { ok: true, outputs: {} }) });
    expect(outcome.ok).toBe(true);
    expect(calls).toBe(0);
  });
});

describe('gate, with options and stores opened as the action and CLI do', () => {
  const [local, s3] = storeKinds(['local', 's3']);

  it.each([local!, s3!])('passes and fails through the operation ($name)', async (kind) => {
    const { store, options, context } = await kind.open();
    const backupId = idAt(at(5 * HOUR));
    await writeBackup(store, 'db', backupId);
    await writeDrill(store, 'db', { backupId, verdict: 'pass', finishedAt: at(4 * HOUR) });
    const raw = {
      store: options!.store,
      's3-endpoint': options!.s3Endpoint,
      's3-region': options!.s3Region,
      's3-force-path-style': options!.s3ForcePathStyle ? 'true' : undefined,
    };
    const pass = await gate(resolveOptions(gateOperation, objectSource(raw)), context(NOW));
    expect(pass.outputs.verdict).toBe('pass');
    const fail = await gate(resolveOptions(gateOperation, objectSource({ ...raw, 'max-backup-age': '4h' })), context(NOW));
    expect(fail.failure).toBe(`Gate failed for db: The newest backup (${backupId}) is 5h old (max 4h).`);
    // No keys, no credentials: nothing the gate publishes carries the store's secret.
    const secret = context(NOW).env.AWS_SECRET_ACCESS_KEY;
    if (secret) expect(JSON.stringify([pass, fail])).not.toContain(secret);
  });

  it('asks which name to gate on when the store holds several', async () => {
    const { store, context } = await local!.open();
    await writeBackup(store, 'db', idAt(at(HOUR)));
    await writeBackup(store, 'shop', idAt(at(HOUR)));
    const error = await gateStore(store, { name: undefined, ...LIMITS }, context(NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toContain('holds backups of several names (`db`, `shop`)');
  });

  it('refuses backup-if-stale when no backup can be taken from here', async () => {
    const { store, context } = await local!.open();
    await expect(gateStore(store, { name: 'db', ...LIMITS, backupIfStale: true }, context(NOW))).rejects.toThrow(UnsupportedError);
  });

  it('finds the newest backup beyond the first listing page (s3rver pages at 1,000 keys)', async () => {
    const { store, context } = await s3!.open();
    // 340 backups x 3 objects (1,020 keys): the newest ids sort last, so they arrive on the second page.
    const ids = Array.from({ length: 340 }, (_, i) => idAt(at((340 - i) * HOUR), 'pppppp'));
    for (let i = 0; i < ids.length; i += 16) await Promise.all(ids.slice(i, i + 16).map((id) => writeBackup(store, 'db', id)));
    await writeDrill(store, 'db', { backupId: ids[339], verdict: 'pass', finishedAt: at(30 * 60_000) });
    await putObject(store, 'db/notes.txt', 'x');
    const outcome = await gateStore(store, { name: 'db', ...LIMITS }, context(NOW));
    expect(outcome.outputs['backup-id']).toBe(ids[339]);
    expect(outcome.outputs['backup-age-seconds']).toBe(3600);
    expect(outcome.ok).toBe(true);
  });
});
