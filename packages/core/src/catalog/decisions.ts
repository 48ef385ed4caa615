import type { BackupState } from './catalog.js';
import { compareText } from './listing.js';

/** The fields the catalog's decisions look at; a CatalogBackup has them all. */
export interface BackupFacts {
  readonly id: string;
  readonly time: Date;
  readonly state: BackupState;
  readonly passedDrill: boolean;
}

/** Newest first by time, ties by id, so every caller agrees on what "newest" means. */
export function byNewest<T extends { readonly id: string; readonly time: Date }>(backups: readonly T[]): T[] {
  return [...backups].sort((a, b) => b.time.getTime() - a.time.getTime() || compareText(b.id, a.id));
}

/** The newest backup whose manifest is present and valid, if any. */
export function newestComplete<T extends BackupFacts>(backups: readonly T[]): T | undefined {
  return byNewest(backups).find((b) => b.state === 'complete');
}

/** The newest complete backup that passed at least one drill, if any. */
export function newestDrilled<T extends BackupFacts>(backups: readonly T[]): T | undefined {
  return byNewest(backups).find((b) => b.state === 'complete' && b.passedDrill);
}
