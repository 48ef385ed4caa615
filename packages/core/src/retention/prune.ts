import { readCatalog, resolveBackupName, type CatalogBackup, type NameCatalog } from '../catalog/catalog.js';
import { futureBackupProblem } from '../catalog/clock-skew.js';
import { newestComplete, newestDrilled } from '../catalog/decisions.js';
import type { RunContext } from '../context.js';
import type { PruneOptions } from '../options/prune.js';
import type { RetentionOptions } from '../options/retention.js';
import { formatBytes } from '../options/values.js';
import { LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { deleteBackup, type BackupDeletion } from './delete-backup.js';
import { applyRetention, describeReasons, type RetentionCandidate, type RetentionDecision, type RetentionPolicy } from './policy.js';
import { retentionPolicyFrom, retentionPolicyIfAny } from './policy-options.js';
import { markdownCell } from '../report/markdown.js';
import { sharedObjectsToDelete, sharedUses } from './shared-objects.js';
import { withPins } from './stack-pins.js';
import { StaleListingError } from './stale-listing.js';

export { StaleListingError } from './stale-listing.js';
import { pruneStackRecords, stackPinsFor, type StackRecordPrune } from './stack-records.js';
import { STACKS_FOLDER } from '../stacks/stack-record.js';
import { ENGINES } from '../engines/registry.js';
import { readStackFile } from '../stacks/stack-file.js';
import { checkStackStore } from '../stacks/stack-store.js';

/** The executor refused a plan that breaks a retention invariant (a bug, never expected). */
export class RetentionInvariantError extends LifeboatError {
  constructor(message: string) {
    super('retention-invariant', message, 'Nothing was deleted. Report this as a bug with the plan printed above.');
  }
}

/** Everything one prune did (or, in a dry run, would do) to one name. */
export interface PruneReport {
  readonly name: string;
  readonly dryRun: boolean;
  readonly decisions: readonly RetentionDecision<CatalogBackup>[];
  /** One entry per backup the plan deletes, oldest first; empty in a dry run. */
  readonly deletions: readonly BackupDeletion[];
  readonly kept: number;
  /** Backups deleted (or that a dry run would delete). */
  readonly deleted: number;
  readonly failed: number;
  readonly locked: number;
  /** Keys under the name that are neither backups nor drill records; never touched. */
  readonly strays: readonly string[];
  /** Shared objects (`<name>/objects/`) no kept backup needs, deleted (or that a dry run would delete). */
  readonly sharedDeleted: number;
  /** The stack records under `<name>/stacks/`, when the name is a stack's: kept and deleted by the same policy. */
  readonly stackRecords?: StackRecordPrune;
}

/**
 * Lists one name, applies the policy and deletes what it does not keep, oldest first, each
 * backup manifest-last. A listing or manifest read that fails rejects before anything is
 * deleted. Drill records are never deleted: they are the audit trail of what was proven,
 * and the gate reads the newest one whatever became of its backup. A backup that a stack
 * record kept by the same policy names is kept; when the name is a stack's, its stack records
 * are pruned first, by the policy.
 */
export async function pruneName(
  store: Store,
  name: string,
  policy: RetentionPolicy,
  context: RunContext,
  options: { dryRun: boolean; expectBackupId?: string; expectStackRecordId?: string },
): Promise<PruneReport> {
  const { reporter } = context;
  const catalog = await readCatalog(store, name);
  if (options.expectBackupId) requireListed(catalog, options.expectBackupId, store);
  const now = context.now();
  // Stack records first: the member pins below then come from the records that stay.
  const stackRecords = await pruneStackRecords(store, name, policy, context, { dryRun: options.dryRun, expectId: options.expectStackRecordId });
  const backups = withPins(name, catalog.backups, await stackPinsFor(store, name, policy, now));
  const decisions = applyRetention(backups, policy, now);
  assertSafe(backups, decisions, now);

  const toDelete = decisions.filter((d) => d.action === 'delete').reverse();
  const verb = options.dryRun ? 'would delete' : 'delete';
  for (const decision of decisions) {
    const b = decision.backup;
    if (decision.action === 'keep') reporter.info(`keep ${b.id} (${b.state}): ${describeReasons(decision.reasons)}`);
    else reporter.info(`${verb} ${b.id} (${b.state}, ${formatBytes(b.size)}): ${decision.why}`);
  }
  for (const key of catalog.strays.filter((k) => !k.startsWith(`${name}/${STACKS_FOLDER}/`))) reporter.warning(`${key} is neither a backup object nor a drill record; prune leaves it alone.`);

  const deletions: BackupDeletion[] = [];
  if (!options.dryRun) {
    for (const decision of toDelete) {
      if (context.signal?.aborted) break;
      const deletion = await deleteBackup(store, decision.backup);
      deletions.push(deletion);
      if (deletion.status === 'deleted') reporter.info(`deleted ${deletion.id} (${deletion.deleted.length} objects)`);
      else if (deletion.status === 'skipped') reporter.info(deletion.message!);
      else reporter.warning(deletion.message!);
    }
  }
  const sharedDeleted = await pruneShared(store, catalog, options.dryRun ? new Set(toDelete.map((d) => d.backup.id)) : new Set(deletions.filter((d) => d.status === 'deleted').map((d) => d.id)), policy, context, options.dryRun);
  const kept = decisions.length - toDelete.length;
  return {
    sharedDeleted,
    name,
    dryRun: options.dryRun,
    decisions,
    deletions,
    kept: kept + deletions.filter((d) => d.status === 'skipped').length,
    deleted: options.dryRun ? toDelete.length : deletions.filter((d) => d.status === 'deleted').length,
    failed: deletions.filter((d) => d.status === 'failed').length,
    locked: deletions.filter((d) => d.status === 'locked').length,
    strays: catalog.strays.filter((k) => !k.startsWith(`${name}/${STACKS_FOLDER}/`)),
    ...(stackRecords ? { stackRecords } : {}),
  };
}

/**
 * Deletes the shared objects no remaining backup needs (after the backups themselves, so a
 * backup is never left needing a deleted object). Reading a kept backup's refs that fails
 * deletes nothing shared, with a warning: the next prune tries again.
 */
async function pruneShared(store: Store, catalog: NameCatalog, deleted: ReadonlySet<string>, policy: RetentionPolicy, context: RunContext, dryRun: boolean): Promise<number> {
  if (catalog.shared.length === 0) return 0;
  let keys: string[];
  try {
    keys = sharedObjectsToDelete(catalog.shared, await sharedUses(store, catalog, deleted), context.now(), policy.incompleteGrace);
  } catch (error) {
    context.reporter.warning(`Shared objects of ${catalog.name} were left alone: ${(error as Error).message}`);
    return 0;
  }
  if (keys.length === 0) return 0;
  if (dryRun) {
    context.reporter.info(`would delete ${keys.length} shared object(s) no kept backup needs`);
    return keys.length;
  }
  const result = await store.delete(keys);
  for (const failure of result.failed) context.reporter.warning(`Could not delete shared object ${failure.key} (${failure.reason}); the next prune tries again.`);
  context.reporter.info(`deleted ${result.deleted.length} shared object(s) no kept backup needs`);
  return result.deleted.length;
}

/** `lifeboat prune`: opens the store, prunes one name, and reports the plan and its outcome. */
export async function prune(options: PruneOptions, context: RunContext): Promise<OperationOutcome> {
  const policy = retentionPolicyFrom(options);
  const store = await openStore(options, context);
  // A mistyped folder or bucket is an error, not "nothing to prune".
  await store.probe();
  if (options.stack) return pruneStack(store, options, policy, context);
  return pruneStore(store, options, policy, context);
}

/** `prune --stack`: the stack's records first, then each member's backups with the pins of the records that stay. */
async function pruneStack(store: Store, options: PruneOptions, policy: RetentionPolicy, context: RunContext): Promise<OperationOutcome> {
  const stack = readStackFile(options.stack!, ENGINES);
  checkStackStore(stack, options.store, context.env);
  const reports: PruneReport[] = [];
  for (const name of [stack.name, ...stack.assets.map((a) => a.backupName)]) {
    const report = await context.reporter.group(`Prune ${name}`, () => pruneName(store, name, policy, context, { dryRun: options.dryRun }));
    await context.reporter.summary(pruneSummary(report, store));
    reports.push(report);
  }
  const outcomes = reports.map((r) => pruneOutcome(r, store));
  const failures = outcomes.filter((o) => !o.ok).map((o) => o.failure!);
  const sum = (field: 'kept' | 'deleted' | 'failed' | 'locked') => reports.reduce((total, r) => total + r[field], 0);
  return {
    ok: failures.length === 0,
    failure: failures.length > 0 ? failures.join(' ') : undefined,
    outputs: { kept: sum('kept'), deleted: sum('deleted'), failed: sum('failed'), locked: sum('locked') },
    data: { store: store.location, stack: stack.name, reports: reports.map(pruneData) },
  };
}

/** `prune` against an open store (tests and library callers that hold a Store). */
export async function pruneStore(
  store: Store,
  options: Pick<PruneOptions, 'name' | 'dryRun'>,
  policy: RetentionPolicy,
  context: RunContext,
): Promise<OperationOutcome> {
  const name = await resolveBackupName(store, options.name);
  if (!name) {
    context.reporter.info(`${store.location} holds no backups; nothing to prune.`);
    return { ok: true, outputs: { kept: 0, deleted: 0, failed: 0, locked: 0 }, data: { store: store.location, reports: [] } };
  }
  const report = await pruneName(store, name, policy, context, { dryRun: options.dryRun });
  await context.reporter.summary(pruneSummary(report, store));
  return pruneOutcome(report, store);
}

/** The outcome of a prune run; locked objects are reported but do not fail it. */
export function pruneOutcome(report: PruneReport, store: Store): OperationOutcome {
  const failures = report.deletions.filter((d) => d.status === 'failed');
  return {
    ok: failures.length === 0,
    failure: failures.length > 0 ? `Prune of ${report.name} failed for ${failures.length} backup(s): ${failures.map((f) => f.message).join(' ')}` : undefined,
    outputs: { kept: report.kept, deleted: report.deleted, failed: report.failed, locked: report.locked },
    data: { store: store.location, ...pruneData(report) },
  };
}

/** What the backup runner gets back from `pruneAfterBackup`. */
export interface PruneAfterBackupResult {
  readonly ok: boolean;
  readonly failure?: string;
  readonly report?: PruneReport;
  /** The prune table, for the caller to publish after its own summary. */
  readonly summary?: string;
}

/**
 * Prunes after a successful backup, when at least one keep rule is set (undefined otherwise).
 * The backup just taken must appear in the listing as complete, else nothing is deleted: a
 * listing that misses it is stale or partial. Never throws for a store failure; the caller
 * decides whether a failed prune fails the backup run.
 */
export async function pruneAfterBackup(
  options: RetentionOptions,
  target: { readonly store: Store; readonly name: string; readonly backupId: string },
  context: RunContext,
): Promise<PruneAfterBackupResult | undefined> {
  const policy = retentionPolicyIfAny(options);
  if (!policy) return undefined;
  try {
    const report = await context.reporter.group(`Prune ${target.name}`, () =>
      pruneName(target.store, target.name, policy, context, { dryRun: false, expectBackupId: target.backupId }),
    );
    // Returned, not published: the backup's summary comes first, then this table under it.
    const outcome = pruneOutcome(report, target.store);
    return { ok: outcome.ok, failure: outcome.failure, report, summary: pruneSummary(report, target.store) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = error instanceof LifeboatError && error.fix ? ` ${error.fix}` : '';
    return { ok: false, failure: `Prune after backup ${target.backupId} did not run: ${message}${fix}` };
  }
}


function requireListed(catalog: NameCatalog, id: string, store: Store): void {
  const found = catalog.backups.find((b) => b.id === id);
  if (!found || found.state !== 'complete') {
    throw new StaleListingError(
      `The listing of ${store.location}/${catalog.name}/ does not show backup ${id} as complete${found ? ` (it shows it as ${found.state})` : ''}, though it was just written.`,
    );
  }
}

/** Defence in depth: the executor re-checks the invariants the policy already guarantees. */
type PinnedBackup = CatalogBackup & Pick<RetentionCandidate, 'pinnedBy'>;

function assertSafe(backups: readonly PinnedBackup[], decisions: readonly RetentionDecision<PinnedBackup>[], now: Date): void {
  const deleting = new Set(decisions.filter((d) => d.action === 'delete').map((d) => d.backup));
  const present = backups.filter((b) => !futureBackupProblem(b, now));
  const newest = newestComplete(present);
  const drilled = newestDrilled(present);
  for (const b of backups) {
    if (deleting.has(b) && futureBackupProblem(b, now)) throw new RetentionInvariantError(`The plan would delete ${b.id}, which is dated in the future.`);
  }
  if (newest && deleting.has(newest)) throw new RetentionInvariantError(`The plan would delete the newest complete backup ${newest.id}.`);
  if (drilled && deleting.has(drilled)) throw new RetentionInvariantError(`The plan would delete the newest drilled backup ${drilled.id}.`);
  for (const b of deleting) {
    if (b.state === 'unreadable') throw new RetentionInvariantError(`The plan would delete ${b.id}, whose manifest cannot be read.`);
    if (b.unreadableDrill) throw new RetentionInvariantError(`The plan would delete ${b.id}, named by a drill record that cannot be read.`);
    if (b.pinnedBy?.length) throw new RetentionInvariantError(`The plan would delete ${b.id}, a member of kept stack backup ${b.pinnedBy.join(', ')}.`);
  }
}

function pruneData(report: PruneReport) {
  return {
    name: report.name,
    dryRun: report.dryRun,
    kept: report.kept,
    deleted: report.deleted,
    failed: report.failed,
    locked: report.locked,
    plan: report.decisions.map((d) => ({
      id: d.backup.id,
      time: d.backup.time.toISOString(),
      state: d.backup.state,
      size: d.backup.size,
      action: d.action,
      reasons: d.reasons,
      why: d.why,
    })),
    deletions: report.deletions,
    sharedDeleted: report.sharedDeleted,
    strays: report.strays,
    ...(report.stackRecords
      ? {
          stackRecords: {
            kept: report.stackRecords.kept,
            deleted: report.stackRecords.deleted,
            failed: report.stackRecords.failed,
            plan: report.stackRecords.decisions.map((d) => ({ id: d.backup.id, state: d.backup.state, action: d.action, reasons: d.reasons, why: d.why })),
          },
        }
      : {}),
  };
}

/** Markdown for the job summary / terminal: the plan and what went wrong. */
export function pruneSummary(report: PruneReport, store: Store): string {
  const title = `### Prune \`${report.name}\`${report.dryRun ? ' (dry run: nothing deleted)' : ''}`;
  const counts = report.dryRun
    ? `${report.kept} kept, ${report.deleted} would be deleted.`
    : `${report.kept} kept, ${report.deleted} deleted, ${report.failed} failed, ${report.locked} locked.`;
  const rows = report.decisions.map((d) => {
    const b = d.backup;
    const action = d.action === 'keep' ? 'keep' : report.dryRun ? 'would delete' : 'delete';
    const detail = d.action === 'keep' ? describeReasons(d.reasons) : d.why ?? '';
    return `| \`${b.id}\` | ${b.state} | ${formatBytes(b.size)} | ${action} | ${markdownCell(detail)} |`;
  });
  const lines = [title, '', `Store: ${store.location}. ${counts}`];
  const records = report.stackRecords;
  if (records) lines.push('', `Stack records: ${records.kept} kept, ${records.deleted} ${report.dryRun ? 'would be deleted' : 'deleted'}${records.failed > 0 ? `, ${records.failed} failed` : ''}.`);
  if (rows.length > 0 || !records) lines.push('', '| backup | state | size | action | why |', '| --- | --- | --- | --- | --- |', ...rows);
  const problems = report.deletions.filter((d) => d.message && d.status !== 'deleted');
  if (problems.length > 0) lines.push('', ...problems.map((d) => `- ${d.message}`));
  return `${lines.join('\n')}\n`;
}
