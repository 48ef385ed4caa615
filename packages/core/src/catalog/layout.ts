/**
 * Where things live in a store, relative to the store's root (the `prefix` of its URL):
 *
 *   <name>/<backup-id>/<payload>.pgp     the encrypted dump or export (`.age` when age-encrypted)
 *   <name>/<backup-id>/stats.json.pgp    encrypted: tables, row counts, plaintext sha256 (`.age` likewise)
 *   <name>/<backup-id>/manifest.json.sig optional detached signature of the manifest
 *   <name>/<backup-id>/manifest.json     written last: a backup exists only when this exists
 *   <name>/drills/<drill-id>.json.sig    optional detached signature of the drill record
 *   <name>/drills/<drill-id>.json        drill evidence records (written after their signature)
 *   <name>/objects/<backup-id>/<n>.pgp   shared objects: stored once, needed by every backup whose
 *                                        `refs.json` lists them (bucket backups)
 */

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SIGNATURE_FILE = 'manifest.json.sig';
export const STATS_FILE = 'stats.json';
export const DRILLS_FOLDER = 'drills';
/** Folder of objects shared by several backups of a name, each listed in the `refs` file of the backups that need it. */
export const SHARED_FOLDER = 'objects';
/** Role and file name, in a manifest, of the plaintext list of shared objects a backup needs. */
export const REFS_ROLE = 'refs';
export const REFS_FILE = 'refs.json';
/** Appended to a drill record's key for its detached signature. */
export const SIGNATURE_SUFFIX = '.sig';

/** The file-name suffix of objects encrypted with `scheme`: `.pgp`, `.age`, or none for plaintext. */
export function encryptedSuffix(scheme: 'openpgp' | 'age' | 'none'): string {
  return scheme === 'openpgp' ? '.pgp' : scheme === 'age' ? '.age' : '';
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `name` is usable as a backup name (one path segment, no surprises). */
export function isValidBackupName(name: string): boolean {
  return NAME_PATTERN.test(name) && name !== DRILLS_FOLDER && !name.includes('..');
}

/** Key of the folder holding one backup, with a trailing slash. */
export function backupFolder(name: string, backupId: string): string {
  return `${name}/${backupId}/`;
}

/** Key of a file inside one backup's folder. */
export function backupObjectKey(name: string, backupId: string, file: string): string {
  return `${backupFolder(name, backupId)}${file}`;
}

/** Key of a backup's manifest. */
export function manifestKey(name: string, backupId: string): string {
  return backupObjectKey(name, backupId, MANIFEST_FILE);
}

/** Key of a drill evidence record. */
export function drillRecordKey(name: string, drillId: string): string {
  return `${name}/${DRILLS_FOLDER}/${drillId}.json`;
}

/** Prefix under which every object of a backup name lives. */
export function namePrefix(name: string): string {
  return `${name}/`;
}

/** Key (relative to the store's root) of a shared object, from its path under the name (`objects/…`). */
export function sharedObjectKey(name: string, path: string): string {
  return `${name}/${path}`;
}

/** Key of a drill record's detached signature. */
export function drillSignatureKey(name: string, drillId: string): string {
  return `${drillRecordKey(name, drillId)}${SIGNATURE_SUFFIX}`;
}
