import { readCatalog } from '../catalog/catalog.js';
import { backupIdTime, isBackupId } from '../catalog/backup-id.js';
import { SIGNATURE_SUFFIX } from '../catalog/layout.js';
import { listAll, mapLimit, readSmallObject } from '../catalog/store-reads.js';
import type { RunContext } from '../context.js';
import { STACKS_FOLDER, stackRecordKey, stackRecordSchema } from '../stacks/stack-record.js';
import type { Store } from '../storage/store.js';
import { StaleListingError } from './stale-listing.js';
import { applyRetention, describeReasons, type RetentionDecision, type RetentionPolicy } from './policy.js';
import { stackPins, stacksNaming, type StackPins, type StackRecordCandidate } from './stack-pins.js';

/** The stack records of one stack as retention sees them, and the signatures beside them. */
export interface StackRecordListing {
  readonly stack: string;
  readonly records: readonly StackRecordCandidate[];
  /** Keys of the records' detached signatures. */
  readonly signatures: ReadonlySet<string>;
}

/**
 * Reads every stack record of `stack`. A record that does not parse is `unreadable` (never
 * deleted) and still pins whatever members it names; a store error rejects, so nothing is
 * decided from a partial read. A stack drill that passed marks its record `passedDrill`.
 */
export async function readStackRecords(store: Store, stack: string): Promise<StackRecordListing> {
  const prefix = `${stack}/${STACKS_FOLDER}/`;
  const objects = await listAll(store, prefix);
  const signatures = new Set(objects.filter((o) => o.key.endsWith(`.json${SIGNATURE_SUFFIX}`)).map((o) => o.key));
  const ids = objects
    .map((o) => o.key.slice(prefix.length))
    .filter((file) => file.endsWith('.json') && !file.includes('/') && isBackupId(file.slice(0, -5)))
    .map((file) => file.slice(0, -5));
  if (ids.length === 0) return { stack, records: [], signatures };
  const drilled = new Set((await readCatalog(store, stack)).drills.filter((d) => d.verdict === 'pass' && d.backupId).map((d) => d.backupId!));
  const records = await mapLimit(ids, 8, async (id): Promise<StackRecordCandidate> => {
    const time = backupIdTime(id)!;
    const text = await readSmallObject(store, stackRecordKey(stack, id));
    const base = { stack, id, time, lastWrite: time, passedDrill: drilled.has(id) };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ...base, state: 'unreadable', members: [], problem: 'it is not JSON' };
    }
    const parsed = stackRecordSchema.safeParse(json);
    if (parsed.success) return { ...base, state: 'complete', members: parsed.data.members.map((m) => ({ name: m.name, backupId: m.backupId })) };
    return { ...base, state: 'unreadable', members: readableMembers(json), problem: 'it is not a stack record this version reads' };
  });
  return { stack, records, signatures };
}

/** Members of a record that does not parse (a newer format, a damaged file): every `{name, backupId}` pair it holds. */
function readableMembers(json: unknown): { name: string; backupId: string }[] {
  const members = (json as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) return [];
  return members
    .filter((m): m is { name: string; backupId: string } => typeof m?.name === 'string' && typeof m?.backupId === 'string')
    .map((m) => ({ name: m.name, backupId: m.backupId }));
}

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
