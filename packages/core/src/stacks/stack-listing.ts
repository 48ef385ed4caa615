import { readCatalog } from '../catalog/catalog.js';
import { backupIdTime, isBackupId } from '../catalog/backup-id.js';
import { SIGNATURE_SUFFIX } from '../catalog/layout.js';
import { manifestDigest } from '../catalog/manifest.js';
import { manifestKey } from '../catalog/layout.js';
import { listAll, mapLimit, readSmallObject } from '../catalog/store-reads.js';
import type { StackRecordCandidate } from '../retention/stack-pins.js';
import type { Store } from '../storage/store.js';
import { STACKS_FOLDER, stackRecordKey, stackRecordSchema, type StackRecord } from './stack-record.js';

/** The stack records of one stack as retention, list and the gate see them, and the signatures beside them. */
export interface StackRecordListing {
  readonly stack: string;
  /** Newest first. */
  readonly records: readonly ListedStackRecord[];
  /** Keys of the records' detached signatures. */
  readonly signatures: ReadonlySet<string>;
}

/** A stack record as listed: a retention candidate, with the record itself when it parses. */
export interface ListedStackRecord extends StackRecordCandidate {
  readonly record?: StackRecord;
  /** SHA-256 of the record exactly as stored (what stack drill records name). */
  readonly sha256: string;
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
    .map((file) => file.slice(0, -5))
    .sort()
    .reverse();
  if (ids.length === 0) return { stack, records: [], signatures };
  const drilled = new Set((await readCatalog(store, stack)).drills.filter((d) => d.verdict === 'pass' && d.backupId).map((d) => d.backupId!));
  const records = await mapLimit(ids, 8, async (id): Promise<ListedStackRecord> => {
    const time = backupIdTime(id)!;
    const text = await readSmallObject(store, stackRecordKey(stack, id));
    const base = { stack, id, time, lastWrite: time, passedDrill: drilled.has(id), sha256: manifestDigest(text) };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ...base, state: 'unreadable', members: [], problem: 'it is not JSON' };
    }
    const parsed = stackRecordSchema.safeParse(json);
    if (parsed.success) return { ...base, state: 'complete', record: parsed.data, members: parsed.data.members.map((m) => ({ name: m.name, backupId: m.backupId })) };
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
 * Why a stack backup cannot be restored whole, one sentence per member: its backup is gone
 * (no manifest), or its manifest no longer has the SHA-256 the record holds. Empty: complete.
 */
export async function stackMemberProblems(store: Store, record: StackRecord): Promise<string[]> {
  const problems = await mapLimit(record.members, 4, async (member) => {
    const key = manifestKey(member.name, member.backupId);
    if (!(await store.head(key))) return `${member.asset}: backup ${member.name}/${member.backupId} is gone`;
    if (manifestDigest(await readSmallObject(store, key)) !== member.manifestSha256) return `${member.asset}: the manifest of ${member.name}/${member.backupId} has changed since the record was written`;
    return undefined;
  });
  return problems.filter((p): p is string => p !== undefined);
}
