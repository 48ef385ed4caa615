import type { BackupState, DrillSummary } from './catalog.js';

/** The fields the catalog's decisions look at; a CatalogBackup has them all. */
export interface BackupFacts {
  readonly id: string;
  readonly time: Date;
  readonly state: BackupState;
  readonly passedDrill: boolean;
}

/** Newest first by time, ties by id, so every caller agrees on what "newest" means. */
export function byNewest<T extends { readonly id: string; readonly time: Date }>(backups: readonly T[]): T[] {
  return [...backups].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** The newest backup whose manifest is present and valid, if any. */
export function newestComplete<T extends BackupFacts>(backups: readonly T[]): T | undefined {
  return byNewest(backups).find((b) => b.state === 'complete');
}

/** The newest complete backup that passed at least one drill, if any. */
export function newestDrilled<T extends BackupFacts>(backups: readonly T[]): T | undefined {
  return byNewest(backups).find((b) => b.state === 'complete' && b.passedDrill);
}

/** The most recently finished drill of a name, if any. */
export function newestDrill<T extends Pick<DrillSummary, 'id' | 'finishedAt'>>(drills: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const drill of drills) {
    const newer = !best || drill.finishedAt.getTime() > best.finishedAt.getTime() || (drill.finishedAt.getTime() === best.finishedAt.getTime() && drill.id > best.id);
    if (newer) best = drill;
  }
  return best;
}
