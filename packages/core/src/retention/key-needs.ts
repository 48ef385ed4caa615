import type { RetentionDecision } from './policy.js';

/** What the key report needs of a backup: its id and, when its manifest could be read, the keys it was encrypted to. */
export interface KeyedBackup {
  readonly id: string;
  /** OpenPGP fingerprints and/or age recipients (`age1…`); undefined when the manifest is missing or unreadable. */
  readonly recipients?: readonly string[];
  /** True for a backup encrypted with a passphrase or not at all: it needs no key. */
  readonly keyless?: boolean;
}

/** For one key: the backups retention keeps that need it, those pruning would remove, and whether it may be retired. */
export interface KeyNeed {
  /** Fingerprint (uppercase hex) or age recipient (lowercase). */
  readonly key: string;
  readonly keptBy: readonly string[];
  readonly prunedBy: readonly string[];
  /** True when no kept backup needs the key and no kept backup has recipients that cannot be read. */
  readonly retire: boolean;
  /** Why it may or may not be retired, in one sentence. */
  readonly why: string;
}

/** Fingerprints compare case-insensitively and age recipients are lowercase bech32: one spelling per key. */
export function normalizeKey(key: string): string {
  const trimmed = key.trim();
  return /^age1/i.test(trimmed) ? trimmed.toLowerCase() : trimmed.toUpperCase();
}

/**
 * Which keys the retention plan still needs. Pure: a key may be retired only when no backup
 * that retention keeps was encrypted to it; a kept backup whose recipients cannot be read may
 * need any key, so while there is one no key is called retirable. Keys come sorted, those
 * still needed first.
 */
export function keyNeeds<T extends KeyedBackup>(decisions: readonly RetentionDecision<T>[]): KeyNeed[] {
  const kept = new Map<string, string[]>();
  const pruned = new Map<string, string[]>();
  const unknownKept: string[] = [];
  for (const { backup, action } of decisions) {
    if (!backup.recipients) {
      if (action === 'keep' && !backup.keyless) unknownKept.push(backup.id);
      continue;
    }
    const into = action === 'keep' ? kept : pruned;
    for (const key of new Set(backup.recipients.map(normalizeKey))) {
      if (!kept.has(key)) kept.set(key, []);
      if (!pruned.has(key)) pruned.set(key, []);
      into.get(key)!.push(backup.id);
    }
  }
  const needs = [...kept.keys()].map((key): KeyNeed => {
    const keptBy = kept.get(key)!;
    const prunedBy = pruned.get(key)!;
    if (keptBy.length > 0) {
      return { key, keptBy, prunedBy, retire: false, why: `${keptBy.length} kept backup${keptBy.length === 1 ? '' : 's'} need${keptBy.length === 1 ? 's' : ''} it` };
    }
    if (unknownKept.length > 0) {
      return { key, keptBy, prunedBy, retire: false, why: `kept backup ${unknownKept[0]} has no readable manifest and may need it` };
    }
    return { key, keptBy, prunedBy, retire: true, why: 'no kept backup needs it' };
  });
  return needs.sort((a, b) => Number(a.retire) - Number(b.retire) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Backups that need a key the holder lacks, grouped by the keys they were encrypted to. */
export interface MissingKey {
  /** The keys (normalized) any one of which would open these backups. */
  readonly keys: readonly string[];
  readonly backups: readonly string[];
}

/**
 * Which backups none of the held keys opens (pure): each backup with readable recipients and
 * no held key among them, grouped by its recipient set, oldest group last as listed. Backups
 * that need no key, or whose recipients cannot be read, are left out: nothing can be said of them.
 */
export function missingKeys(backups: readonly KeyedBackup[], held: readonly string[]): MissingKey[] {
  const have = new Set(held.map(normalizeKey));
  const groups = new Map<string, { keys: string[]; backups: string[] }>();
  for (const backup of backups) {
    if (backup.keyless || !backup.recipients || backup.recipients.length === 0) continue;
    const keys = [...new Set(backup.recipients.map(normalizeKey))].sort();
    if (keys.some((key) => have.has(key))) continue;
    const group = keys.join(' ');
    if (!groups.has(group)) groups.set(group, { keys, backups: [] });
    groups.get(group)!.backups.push(backup.id);
  }
  return [...groups.values()];
}

/** A key as warnings show it: the last 8 characters of an OpenPGP fingerprint, an age recipient whole (both are public). */
export function shortKey(key: string): string {
  return /^age1/i.test(key) ? key : `…${key.slice(-8)}`;
}
