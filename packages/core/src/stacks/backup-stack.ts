import { hostname } from 'node:os';
import { newBackupId } from '../catalog/backup-id.js';
import { manifestKey } from '../catalog/layout.js';
import { manifestDigest, type Manifest } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import { provenanceFromEnv, type RunContext } from '../context.js';
import { ENGINES } from '../engines/registry.js';
import type { BackupOptions } from '../options/backup.js';
import { backup } from '../pipeline/backup.js';
import { prepareSigning } from '../pipeline/run-backup.js';
import { markdownCell } from '../report/markdown.js';
import { describeError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import { probeStore } from '../storage/probe.js';
import type { Store } from '../storage/store.js';
import { planMember } from './plan-member.js';
import { preflightStack } from './preflight-stack.js';
import { inBatches } from './pool.js';
import { readStackFile, type StackAsset, type StackFile } from './stack-file.js';
import { consistencyWindow, STACK_RECORD_FORMAT, writeStackRecord, type StackMember, type StackRecord } from './stack-record.js';
import { checkStackStore } from './stack-store.js';
import type { RetentionOptions } from '../options/retention.js';
import type { RetentionPolicy } from '../retention/policy.js';
import { retentionPolicyIfAny } from '../retention/policy-options.js';
import { pruneAfterBackup, pruneName, pruneOutcome, pruneSummary } from '../retention/prune.js';

/** How many members are backed up at once: each holds a source connection and a share of the runner. */
export const STACK_BACKUP_CONCURRENCY = 2;

/** Test seams: code run before a member's backup starts (to widen the skew), the store to use. */
export interface StackBackupHooks {
  readonly beforeMember?: (asset: string) => Promise<void>;
  readonly store?: Store;
}

interface MemberRun {
  readonly asset: StackAsset;
  readonly outcome?: OperationOutcome;
  readonly error?: string;
  readonly member?: StackMember;
}

/**
 * `lifeboat backup --stack`: every member through the single-asset backup (at most
 * `STACK_BACKUP_CONCURRENCY` at once), each under `<stack>-<asset>`; then, only when every
 * member is complete and the snapshots lie within `max-skew`, the stack record, written last.
 */
export async function backupStack(options: BackupOptions, context: RunContext, hooks: StackBackupHooks = {}): Promise<OperationOutcome> {
  // The same checks as `lifeboat preflight --stack`: one path for both.
  if (options.preflight) return preflightStack(options, context);
  const { reporter } = context;
  const stack = readStackFile(options.stack!, ENGINES);
  checkStackStore(stack, options.store, context.env);
  // Every member's settings are expanded and matched to its engine before anything is read.
  // Members are pruned once the stack record is written, so their pins come from the records that stay.
  const planned = stack.assets.map((asset) => ({ asset, options: { ...planMember(options, stack, asset, context), ...NO_KEEP_RULES } }));
  const policy = retentionPolicyIfAny(options);
  const signing = await prepareSigning(options);
  const store = hooks.store ?? (await openStore(options, context));
  await probeStore(store, options.createStore, context);

  const started = context.now();
  const runs = await inBatches(planned, STACK_BACKUP_CONCURRENCY, async ({ asset, options: opts }): Promise<MemberRun> => {
    try {
      await hooks.beforeMember?.(asset.name);
      const outcome = await reporter.group(`Stack ${stack.name}: ${asset.name}`, () => backup(opts, context, { store }));
      if (!outcome.ok) return { asset, outcome, error: outcome.failure ?? 'the backup failed' };
      const taken = (outcome.data as { name: string; manifest?: Manifest }[]).filter((t) => t.manifest);
      if (taken.length !== 1) return { asset, outcome, error: `it took ${taken.length} backups; a stack member is one backup` };
      const manifest = taken[0]!.manifest!;
      const text = await readSmallObject(store, manifestKey(asset.backupName, manifest.id));
      return {
        asset,
        outcome,
        member: { asset: asset.name, engine: asset.engine, name: asset.backupName, backupId: manifest.id, manifestSha256: manifestDigest(text), snapshotAt: manifest.startedAt },
      };
    } catch (error) {
      return { asset, error: describeError(error) };
    }
  });

  const failed = runs.filter((r) => r.error);
  let record: StackRecord | undefined;
  let key: string | undefined;
  let failure: string | undefined;
  if (failed.length > 0) {
    failure = `Stack ${stack.name} is incomplete: ${failed.map((f) => `${f.asset.name} failed: ${f.error}`).join('; ')}. No stack record was written; drills keep taking the previous complete stack backup.`;
  } else {
    const members = runs.map((r) => r.member!);
    try {
      const window = consistencyWindow(members, stack.maxSkewMs);
      const id = newBackupId(started);
      record = {
        format: STACK_RECORD_FORMAT,
        stack: stack.name,
        id,
        startedAt: started.toISOString(),
        finishedAt: context.now().toISOString(),
        window,
        ...(stack.maxSkewMs !== undefined ? { maxSkewMs: stack.maxSkewMs } : {}),
        restoreOrder: [...stack.restoreOrder],
        members,
        provenance: provenanceFromEnv(context.env, hostname()),
      };
      key = await writeStackRecord(store, record, signing);
      reporter.info(`Stack record stored at ${store.location}/${key}${signing ? '' : ' (unsigned)'}.`);
    } catch (error) {
      failure = describeError(error);
      record = undefined;
    }
  }
  await reporter.summary(renderStackBackupSummary(stack, runs, record, failure));
  if (policy) {
    const problems = await pruneStack(store, stack.name, record?.id, runs, policy, context);
    if (problems.length > 0 && failure === undefined) failure = `Stack backup ${record?.id} is complete, but retention failed: ${problems.join(' ')}`;
  }
  return {
    ok: failure === undefined,
    failure,
    outputs: {
      'backup-id': record?.id,
      location: key ? `${store.location}/${key}` : undefined,
      backups: JSON.stringify(runs.filter((r) => r.member).map((r) => ({ asset: r.asset.name, name: r.member!.name, id: r.member!.backupId, manifestSha256: r.member!.manifestSha256 }))),
    },
    data: { stack: stack.name, record, members: runs.map((r) => ({ asset: r.asset.name, backupId: r.member?.backupId, error: r.error })) },
  };
}

const NO_KEEP_RULES = { keepLast: undefined, keepHourly: undefined, keepDaily: undefined, keepWeekly: undefined, keepMonthly: undefined, keepYearly: undefined, keepWithin: undefined };

/**
 * Retention after a stack backup: the stack's records by the keep rules, then every member
 * that completed (whether or not the stack did), keeping what a kept record names. Returns
 * the problems; a failed prune deletes nothing more but does not undo the backup.
 */
async function pruneStack(store: Store, stack: string, recordId: string | undefined, runs: readonly MemberRun[], policy: RetentionPolicy, context: RunContext): Promise<string[]> {
  const problems: string[] = [];
  const summaries: string[] = [];
  if (recordId) {
    try {
      const report = await context.reporter.group(`Prune stack records of ${stack}`, () => pruneName(store, stack, policy, context, { dryRun: false, expectStackRecordId: recordId }));
      summaries.push(pruneSummary(report, store));
      const outcome = pruneOutcome(report, store);
      if (!outcome.ok) problems.push(outcome.failure!);
    } catch (error) {
      // Without the records' decisions the members' pins are unknown: prune no member either.
      problems.push(`Prune of stack records of ${stack} did not run: ${describeError(error)}`);
      return problems;
    }
  }
  for (const run of runs) {
    if (!run.member) continue;
    const result = await pruneAfterBackup({ ...policyOptions(policy) }, { store, name: run.member.name, backupId: run.member.backupId }, context);
    if (result?.summary) summaries.push(result.summary);
    if (result && !result.ok) problems.push(result.failure!);
  }
  for (const summary of summaries) await context.reporter.summary(summary);
  return problems;
}

function policyOptions(policy: RetentionPolicy): RetentionOptions {
  return { ...NO_KEEP_RULES, ...policy };
}

function renderStackBackupSummary(stack: StackFile, runs: readonly MemberRun[], record: StackRecord | undefined, failure: string | undefined): string {
  const lines = [`## Lifeboat stack backup: ${stack.name}`, ''];
  lines.push(record ? `Stack backup \`${record.id}\`: snapshots within ${record.window.skewMs} ms (${record.window.first} to ${record.window.last}).` : `❌ ${markdownCell(failure ?? 'incomplete')}`, '');
  lines.push('| asset | engine | backup | result |', '| --- | --- | --- | --- |');
  for (const run of runs) {
    lines.push(`| ${run.asset.name} | ${run.asset.engine} | ${run.member ? `\`${run.asset.backupName}/${run.member.backupId}\`` : '—'} | ${run.error ? `❌ ${markdownCell(run.error)}` : '✅'} |`);
  }
  return `${lines.join('\n')}\n`;
}
