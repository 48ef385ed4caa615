import type { CatalogBackup } from '../catalog/catalog.js';
import { MANIFEST_FILE, manifestKey } from '../catalog/layout.js';
import type { DeleteResult, Store } from '../storage/store.js';

/** A key that could not be deleted, and why. */
export interface FailedKey {
  readonly key: string;
  readonly reason: string;
  /** True when the store keeps it until its own rule ends (S3 Object Lock, GitHub's artifact expiry); never forced. */
  readonly locked?: boolean;
  /** What keeps it, for the message; S3 Object Lock when absent. */
  readonly lockedBy?: string;
}

/** What happened to one backup the plan deletes. */
export interface BackupDeletion {
  readonly id: string;
  /** `deleted`: every listed object is gone. `locked`: only Object Lock stopped it. `failed`: anything else went wrong. `skipped`: left alone on purpose. */
  readonly status: 'deleted' | 'locked' | 'failed' | 'skipped';
  readonly deleted: readonly string[];
  readonly failed: readonly FailedKey[];
  /** True when the manifest is still there; the backup is then still complete and its payload intact. */
  readonly manifestKept: boolean;
  /** One line for the operator when the status is not `deleted`. */
  readonly message?: string;
}

/**
 * Deletes the listed objects of one backup so that it is never left "complete" with its
 * payload gone: the payload first, then the other objects, the manifest LAST. When the
 * payload could not be deleted at all, nothing else is touched and the backup stays complete
 * and whole. Once any payload object is gone the backup cannot restore, so the rest goes too
 * (manifest last) even if some object failed: it is then listed as incomplete, and a later
 * prune removes what is left after the grace period. Only keys seen in the listing are
 * deleted; an object written since then is left alone.
 */
export async function deleteBackup(store: Store, backup: CatalogBackup): Promise<BackupDeletion> {
  const keys = backup.folder.objects.map((o) => o.key);
  const manifest = backup.folder.objects.find((o) => o.file === MANIFEST_FILE)?.key;
  const deleted: string[] = [];
  const failed: FailedKey[] = [];

  if (!manifest) {
    // An incomplete backup must not have completed since it was listed.
    const appeared = await store.head(manifestKey(backup.folder.name, backup.id));
    if (appeared) {
      return {
        id: backup.id,
        status: 'skipped',
        deleted,
        failed,
        manifestKept: true,
        message: `${backup.id} was incomplete when listed but has a manifest now (it finished meanwhile); left alone.`,
      };
    }
    await deleteGroup(store, keys, deleted, failed);
    return finish(backup.id, deleted, failed, 'no-manifest');
  }

  const payloadFiles = new Set((backup.manifest?.objects ?? []).filter((o) => o.role === 'payload').map((o) => o.file));
  const payload = backup.folder.objects.filter((o) => payloadFiles.has(o.file)).map((o) => o.key);
  const others = keys.filter((k) => k !== manifest && !payload.includes(k));

  if (payload.length > 0) {
    const before = deleted.length;
    await deleteGroup(store, payload, deleted, failed);
    if (deleted.length === before && failed.length > 0) {
      return finish(backup.id, deleted, failed, 'intact');
    }
  }
  await deleteGroup(store, others, deleted, failed);
  await deleteGroup(store, [manifest], deleted, failed);
  return finish(backup.id, deleted, failed, failed.some((f) => f.key === manifest) ? 'manifest-left' : 'no-manifest');
}

async function deleteGroup(store: Store, keys: readonly string[], deleted: string[], failed: FailedKey[]): Promise<void> {
  if (keys.length === 0) return;
  let result: DeleteResult;
  try {
    result = await store.delete(keys);
  } catch (error) {
    // A request that failed as a whole leaves every key's fate unknown: count them all as not deleted.
    const reason = error instanceof Error ? error.message : String(error);
    for (const key of keys) failed.push({ key, reason });
    return;
  }
  const failedKeys = new Set(result.failed.map((f) => f.key));
  for (const key of result.deleted) if (!failedKeys.has(key)) deleted.push(key);
  for (const failure of result.failed) failed.push({ key: failure.key, reason: failure.reason, locked: failure.locked, lockedBy: failure.lockedBy });
  // A key the store reported neither way was not confirmed deleted.
  for (const key of keys) {
    if (!deleted.includes(key) && !failedKeys.has(key)) failed.push({ key, reason: 'the store did not confirm the deletion' });
  }
}

/** Where a deletion that hit failures left the backup. */
type Remains = 'intact' | 'manifest-left' | 'no-manifest';

function finish(id: string, deleted: string[], failed: FailedKey[], remains: Remains): BackupDeletion {
  if (failed.length === 0) return { id, status: 'deleted', deleted, failed, manifestKept: false };
  const locked = failed.every((f) => f.locked);
  const keys = failed.map((f) => `${f.key} (${f.locked ? (f.lockedBy ?? 'locked by S3 Object Lock') : f.reason})`).join(', ');
  const message = {
    intact: `${id} not deleted: ${keys}. Nothing else was touched; it stays a complete backup.`,
    'manifest-left': `${id} partly deleted: ${keys}. Its manifest could not be deleted after its other objects were; run prune again to finish.`,
    'no-manifest': `${id} partly deleted: ${keys} remain without a manifest (listed as incomplete); a later prune removes them once past the grace period.`,
  }[remains];
  return { id, status: locked ? 'locked' : 'failed', deleted, failed, manifestKept: remains !== 'no-manifest', message };
}
