import type { StoredObject } from '../storage/store.js';
import { isBackupId } from './backup-id.js';
import { DRILLS_FOLDER, isValidBackupName, MANIFEST_FILE, SHARED_FOLDER, SIGNATURE_SUFFIX } from './layout.js';

/** One object of a backup folder, as the listing shows it. */
export interface FolderObject {
  /** Key relative to the store's root. */
  readonly key: string;
  /** Path inside the backup's folder, e.g. `db.pgdump.pgp`. */
  readonly file: string;
  readonly size: number;
  readonly lastModified?: Date;
}

/** The objects under `<name>/<backup-id>/`, before any manifest is read. */
export interface BackupFolder {
  readonly name: string;
  readonly id: string;
  readonly objects: readonly FolderObject[];
  /** True when `manifest.json` is among the objects. */
  readonly hasManifest: boolean;
}

/** Everything one listing shows under `<name>/`, grouped by meaning. */
export interface NameListing {
  readonly name: string;
  /** Newest first (ids sort by time). */
  readonly folders: readonly BackupFolder[];
  /** `<name>/drills/*.json` objects. */
  readonly drillObjects: readonly StoredObject[];
  /** Keys of `<name>/drills/*.json.sig` objects: detached signatures of drill records. */
  readonly drillSignatures: ReadonlySet<string>;
  /** `<name>/objects/**`: objects shared by backups, kept while a backup's refs list them. */
  readonly shared: readonly StoredObject[];
  /** Keys under the name that are neither backup objects nor drill records; never touched. */
  readonly strays: readonly string[];
}

/**
 * Groups a recursive listing into backup names, backup folders and drill records. Pure: the
 * listing is read by the caller, so this decides from keys alone and never from delimiters
 * (some S3-compatible stores return common prefixes for one level only).
 */
export function groupListing(objects: Iterable<StoredObject>): Map<string, NameListing> {
  const byName = new Map<string, { folders: Map<string, FolderObject[]>; drills: StoredObject[]; signatures: Set<string>; shared: StoredObject[]; strays: string[] }>();
  const entry = (name: string) => {
    let found = byName.get(name);
    if (!found) {
      found = { folders: new Map(), drills: [], signatures: new Set(), shared: [], strays: [] };
      byName.set(name, found);
    }
    return found;
  };
  const pendingStrays: { name: string; key: string }[] = [];
  const pendingShared: { name: string; object: StoredObject }[] = [];
  for (const object of objects) {
    const parts = object.key.split('/');
    const [name, second] = parts;
    // Objects at the root, or under a folder that cannot be a backup name, belong to someone else.
    if (parts.length < 2 || !name || !isValidBackupName(name)) continue;
    const rest = parts.slice(2).join('/');
    if (parts.length === 2 || !second || rest === '' || object.key.endsWith('/')) {
      pendingStrays.push({ name, key: object.key });
      continue;
    }
    if (second === DRILLS_FOLDER) {
      if (parts.length === 3 && rest.endsWith('.json')) entry(name).drills.push(object);
      else if (parts.length === 3 && rest.endsWith(`.json${SIGNATURE_SUFFIX}`)) entry(name).signatures.add(object.key);
      else pendingStrays.push({ name, key: object.key });
      continue;
    }
    if (second === SHARED_FOLDER) {
      pendingShared.push({ name, object });
      continue;
    }
    if (!isBackupId(second)) {
      pendingStrays.push({ name, key: object.key });
      continue;
    }
    const folders = entry(name).folders;
    const folder = folders.get(second) ?? [];
    folder.push({ key: object.key, file: rest, size: object.size, lastModified: object.lastModified });
    folders.set(second, folder);
  }
  // Loose files count as strays only under a name that holds backups or drills: a folder of
  // unrelated data next to the backups is not a backup name.
  for (const { name, key } of pendingStrays) byName.get(name)?.strays.push(key);
  for (const { name, object } of pendingShared) byName.get(name)?.shared.push(object);

  const result = new Map<string, NameListing>();
  for (const name of [...byName.keys()].sort()) {
    const { folders, drills, signatures, shared, strays } = byName.get(name)!;
    const grouped: BackupFolder[] = [...folders.entries()]
      .map(([id, files]) => ({
        name,
        id,
        objects: files.sort((a, b) => compareText(a.file, b.file)),
        hasManifest: files.some((f) => f.file === MANIFEST_FILE),
      }))
      .sort((a, b) => compareText(b.id, a.id));
    result.set(name, {
      name,
      folders: grouped,
      drillObjects: drills.sort((a, b) => compareText(b.key, a.key)),
      drillSignatures: signatures,
      shared: shared.sort((a, b) => compareText(a.key, b.key)),
      strays: strays.sort(compareText),
    });
  }
  return result;
}

/** The listing of one name; empty when the listing shows nothing under it. */
export function listingOf(grouped: Map<string, NameListing>, name: string): NameListing {
  return grouped.get(name) ?? { name, folders: [], drillObjects: [], drillSignatures: new Set(), shared: [], strays: [] };
}

/** Code-point order, the order ids and keys sort in on every store. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
