import { SIGNATURE_SUFFIX } from '../catalog/layout.js';
import type { RunContext } from '../context.js';
import { readStackRecords } from '../stacks/stack-listing.js';
import { STACKS_FOLDER, stackRecordKey } from '../stacks/stack-record.js';
import type { Store } from '../storage/store.js';
import { StaleListingError } from './stale-listing.js';
import { applyRetention, describeReasons, type RetentionDecision, type RetentionPolicy } from './policy.js';
import { stackPins, stacksNaming, type StackPins, type StackRecordCandidate } from './stack-pins.js';

/**
 * The member backups of `name` that stack records kept by `policy` name: for every stack
 * `name` can be a member of, that stack's records go through the same keep rules as backups.
 */
export async function stackPinsFor(store: Store, name: string, policy: RetentionPolicy, now: Date): Promise<StackPins> {
  const decisions: RetentionDecision<StackRecordCandidate>[] = [];
  for (const stack of stacksNaming(name)) {
    const { records } = await readStackRecords(store, stack);
    if (records.some((r) => r.members.some((m) => m.name === name))) decisions.push(...applyRetention(records, policy, now));
  }
  return stackPins(decisions);
}

/** What pruning one stack's records did (or would do). */
export interface StackRecordPrune {
  readonly decisions: readonly RetentionDecision<StackRecordCandidate>[];
  readonly kept: number;
  readonly deleted: number;
  readonly failed: number;
}

/**
 * Applies `policy` to the stack records under `<name>/stacks/` and deletes those it does not
 * keep, each record before its signature (a record exists while its JSON does). Undefined when
 * there are none. The newest record and the newest one a stack drill passed are always kept.
 */
export async function pruneStackRecords(store: Store, name: string, policy: RetentionPolicy, context: RunContext, options: { dryRun: boolean; expectId?: string }): Promise<StackRecordPrune | undefined> {
  const { reporter } = context;
  const { records, signatures } = await readStackRecords(store, name);
  // A listing that misses the record just written is stale: deciding from it could delete the wrong records.
  if (options.expectId && !records.some((r) => r.id === options.expectId && r.state === 'complete')) {
    throw new StaleListingError(`The listing of ${store.location}/${name}/${STACKS_FOLDER}/ does not show stack record ${options.expectId}, though it was just written.`);
  }
  if (records.length === 0) return undefined;
  const decisions = applyRetention(records, policy, context.now());
  const verb = options.dryRun ? 'would delete' : 'delete';
  let deleted = 0;
  let failed = 0;
  for (const decision of decisions) {
    const r = decision.backup;
    if (decision.action === 'keep') reporter.info(`keep stack record ${r.id}${r.problem ? ` (${r.problem})` : ''}: ${describeReasons(decision.reasons)}`);
    else reporter.info(`${verb} stack record ${r.id}: ${decision.why}`);
  }
  for (const decision of [...decisions].reverse()) {
    if (decision.action !== 'delete') continue;
    if (options.dryRun) {
      deleted++;
      continue;
    }
    const key = stackRecordKey(name, decision.backup.id);
    const result = await store.delete([key]);
    if (result.failed.length > 0) {
      failed++;
      reporter.warning(`Could not delete stack record ${key} (${result.failed[0]!.reason}); the next prune tries again.`);
      continue;
    }
    deleted++;
    if (signatures.has(`${key}${SIGNATURE_SUFFIX}`)) {
      const sig = await store.delete([`${key}${SIGNATURE_SUFFIX}`]);
      for (const f of sig.failed) reporter.warning(`Could not delete ${f.key} (${f.reason}), the signature of a deleted stack record; it is harmless.`);
    }
  }
  return { decisions, kept: decisions.length - deleted, deleted, failed };
}
