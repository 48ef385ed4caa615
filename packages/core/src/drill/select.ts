import { readCatalog, resolveBackupName, type CatalogBackup } from '../catalog/catalog.js';
import { futureBackupProblem } from '../catalog/clock-skew.js';
import { manifestKey } from '../catalog/layout.js';
import { manifestDigest, parseManifest, type Manifest } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import { OptionError } from '../report/errors.js';
import type { Store } from '../storage/store.js';
import { NoBackupError } from './errors.js';

/** The backup a drill or restore works on. */
export interface SelectedBackup {
  readonly name: string;
  readonly manifest: Manifest;
  /** The manifest exactly as stored (its digest goes into the evidence; a signature covers it). */
  readonly manifestText: string;
  readonly manifestSha256: string;
  /** Incomplete backups newer than the one selected (skipped, reported). */
  readonly skipped: readonly string[];
  /** Backups passed over because their times lie in the future, one sentence each (reported). */
  readonly future: readonly string[];
  /** Every backup listed under the name, with the manifests the listing read. */
  readonly backups: readonly CatalogBackup[];
}

/** What to select: a given id, else the newest complete backup (optionally started before a time). */
export interface Selection {
  readonly name?: string;
  readonly backupId?: string;
  readonly before?: string;
  /** This machine's clock, to tell backups dated in the future; default: the current time. */
  readonly now?: Date;
}

/**
 * Chooses the backup from a catalog listing (pure): the decision a drill's `select` phase
 * makes. The newest is never one whose times lie in the future (beyond the clock skew
 * allowed): such backups are passed over and named in `future`. A `backupId` is taken as asked.
 */
export function chooseBackup(
  backups: readonly CatalogBackup[],
  selection: { backupId?: string; before?: Date; now?: Date },
): { chosen?: CatalogBackup; skipped: string[]; future: string[]; problem?: string } {
  if (selection.backupId) {
    const found = backups.find((b) => b.id === selection.backupId);
    if (!found) return { skipped: [], future: [], problem: `Backup ${selection.backupId} does not exist.` };
    if (found.state !== 'complete') {
      return { skipped: [], future: [], problem: `Backup ${selection.backupId} is ${found.state}${found.problem ? ` (${found.problem})` : ' (no manifest)'}: it cannot be drilled or restored.` };
    }
    return { chosen: found, skipped: [], future: [] };
  }
  const now = selection.now ?? new Date();
  const eligible = backups.filter((b) => !selection.before || b.time.getTime() < selection.before.getTime());
  const skipped: string[] = [];
  const future: string[] = [];
  for (const backup of eligible) {
    const ahead = futureBackupProblem(backup, now);
    if (ahead) {
      future.push(`Backup ${backup.id} was passed over: ${ahead}.`);
      continue;
    }
    if (backup.state === 'complete') return { chosen: backup, skipped, future };
    skipped.push(backup.id);
  }
  return { skipped, future, problem: selection.before ? `No complete backup started before ${selection.before.toISOString()}.` : 'No complete backup exists.' };
}

/** Lists the store and reads the selected backup's manifest (bytes kept for the digest). */
export async function selectBackup(store: Store, selection: Selection): Promise<SelectedBackup> {
  const before = selection.before ? parseTime(selection.before) : undefined;
  const name = await resolveBackupName(store, selection.name);
  if (!name) {
    throw new NoBackupError(`No backups in ${store.location}.`, 'Check `store` (and its prefix), or take a backup first.');
  }
  const catalog = await readCatalog(store, name);
  const { chosen, skipped, future, problem } = chooseBackup(catalog.backups, { backupId: selection.backupId, before, now: selection.now });
  if (!chosen) {
    const incomplete = catalog.backups.filter((b) => b.state !== 'complete').map((b) => `${b.id} (${b.problem ?? 'no manifest'})`);
    const note = incomplete.length > 0 ? ` Backups that are not complete: ${incomplete.slice(0, 5).join(', ')}${incomplete.length > 5 ? ', ...' : ''}.` : '';
    const ahead = future.length > 0 ? ` ${future.join(' ')}` : '';
    throw new NoBackupError(`${problem}${note}${ahead} (name ${name} in ${store.location})`, 'Take a backup first, or pick another `backup-id`/`before`.');
  }
  const key = manifestKey(name, chosen.id);
  const manifestText = await readSmallObject(store, key);
  const manifest = parseManifest(manifestText, key);
  return { name, manifest, manifestText, manifestSha256: manifestDigest(manifestText), skipped, future, backups: catalog.backups };
}

function parseTime(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    throw new OptionError(`\`before\` (got '${text}') is not a time.`, 'Write it as ISO 8601, e.g. `2026-11-20T00:00:00Z`.');
  }
  return date;
}
