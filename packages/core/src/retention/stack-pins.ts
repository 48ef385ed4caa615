import { isValidBackupName } from '../catalog/layout.js';
import type { RetentionCandidate, RetentionDecision } from './policy.js';

/** What retention knows of one stack record: a candidate like a backup, and the member backups it names. */
export interface StackRecordCandidate extends RetentionCandidate {
  readonly stack: string;
  /** The member backups it names; of a record that does not parse, whatever members could be read. */
  readonly members: readonly { readonly name: string; readonly backupId: string }[];
}

/** For each member backup name, the backup ids kept stack records name and which records (`<stack>/<id>`) name them. */
export type StackPins = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/**
 * The stacks a member backup name can belong to: members are named `<stack>-<asset>`, and
 * both parts may hold `-`, so every prefix before a `-` that is a backup name. Pure.
 */
export function stacksNaming(name: string): string[] {
  const stacks: string[] = [];
  for (let i = name.indexOf('-'); i > 0; i = name.indexOf('-', i + 1)) {
    const stack = name.slice(0, i);
    if (isValidBackupName(stack)) stacks.push(stack);
  }
  return stacks;
}

/** The member backups the kept stack records name, from their retention decisions. Pure. */
export function stackPins(decisions: readonly RetentionDecision<StackRecordCandidate>[]): StackPins {
  const pins = new Map<string, Map<string, string[]>>();
  for (const { backup: record, action } of decisions) {
    if (action !== 'keep') continue;
    for (const member of record.members) {
      const ids = pins.get(member.name) ?? new Map<string, string[]>();
      const by = ids.get(member.backupId) ?? [];
      if (!by.includes(`${record.stack}/${record.id}`)) by.push(`${record.stack}/${record.id}`);
      ids.set(member.backupId, by);
      pins.set(member.name, ids);
    }
  }
  return pins;
}

/** The backups of `name` with `pinnedBy` set on those a kept stack record names. Pure. */
export function withPins<T extends RetentionCandidate>(name: string, backups: readonly T[], pins: StackPins): T[] {
  const ids = pins.get(name);
  if (!ids) return [...backups];
  return backups.map((backup) => {
    const by = ids.get(backup.id);
    return by ? { ...backup, pinnedBy: [...(backup.pinnedBy ?? []), ...by] } : backup;
  });
}
