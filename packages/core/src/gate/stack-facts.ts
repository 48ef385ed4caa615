import type { CatalogReadOptions } from '../catalog/catalog.js';
import { futureBackupProblem } from '../catalog/clock-skew.js';
import { readStackRecords, stackMemberProblems } from '../stacks/stack-listing.js';
import type { Store } from '../storage/store.js';
import { readGateFacts } from './gate.js';
import type { GateFacts } from './verdict.js';

/**
 * What the gate needs of a stack: the newest complete stack backup (a record whose members are
 * all still there as recorded) and the stack's drills under its name, judged by the same rules
 * as drills of one backup (signatures, inconclusive drills, unreadable records, future dates).
 * Newer records that cannot be read, are dated in the future or lack a member are named in
 * `ignored`.
 */
export async function readStackGateFacts(store: Store, stack: string, now: Date, options: CatalogReadOptions = {}): Promise<GateFacts> {
  const [drills, { records }] = await Promise.all([readGateFacts(store, stack, now, options), readStackRecords(store, stack)]);
  // Notes about plain backups under the stack's name (there should be none) say nothing of the stack.
  const ignored: string[] = [...(drills.ignored ?? []).filter((note) => !note.startsWith('Backup '))];
  let newest: (typeof records)[number] | undefined;
  for (const listed of records) {
    if (!listed.record) {
      ignored.push(`Stack record ${listed.id} is ignored: ${listed.problem}.`);
      continue;
    }
    const future = futureBackupProblem({ id: listed.id, time: listed.time, manifest: { startedAt: listed.record.startedAt, finishedAt: listed.record.finishedAt } }, now);
    if (future) {
      ignored.push(`Stack record ${listed.id} is ignored: ${future}.`);
      continue;
    }
    const missing = await stackMemberProblems(store, listed.record);
    if (missing.length > 0) {
      ignored.push(`Stack backup ${listed.id} is incomplete (${missing.join('; ')}), so it is not counted.`);
      continue;
    }
    newest = listed;
    break;
  }
  const drill = drills.drill;
  const drilled = drill?.backupId ? records.find((r) => r.id === drill.backupId) : undefined;
  const chain: GateFacts['chain'] =
    drill?.backupId === undefined
      ? undefined
      : !drilled
        ? { ok: true, text: `Drill record ${drill.id} names stack backup ${drill.backupId}; that stack record is no longer in the store.` }
        : drill.manifestSha256 && drill.manifestSha256 !== drilled.sha256
          ? { ok: false, text: `Drill record ${drill.id} restored stack backup ${drilled.id} with record SHA-256 ${drill.manifestSha256}, but the record stored there now has SHA-256 ${drilled.sha256}: it was replaced after the drill.` }
          : { ok: true, text: `Chain: stack backup ${drilled.id} (record SHA-256 ${drilled.sha256}) → drill record ${drill.id}.` };
  return {
    ...drills,
    name: stack,
    backup: newest && { id: newest.id, time: newest.time },
    ...(ignored.length > 0 ? { ignored } : { ignored: undefined }),
    chain,
  };
}
