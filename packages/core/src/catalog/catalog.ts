import type { Store, StoredObject } from '../storage/store.js';
import { SignatureError } from '../crypto/errors.js';
import { verifyDetached } from '../crypto/sign.js';
import { OptionError } from '../report/errors.js';
import { backupIdTime, isBackupId } from './backup-id.js';
import { drillRecordSchema, type DrillRecord } from './drill-record.js';
import { isValidBackupName, manifestKey, namePrefix, SIGNATURE_SUFFIX } from './layout.js';
import { compareText, groupListing, listingOf, type BackupFolder, type NameListing } from './listing.js';
import { ManifestError, manifestDigest, parseManifest, type Manifest } from './manifest.js';
import { listAll, mapLimit, ObjectTooLargeError, readSmallObject } from './store-reads.js';

/**
 * `complete`: the manifest is present and valid. `incomplete`: objects but no manifest (a
 * backup that failed or is still being written), or a manifest that records a partial export
 * (`source.complete` false). `unreadable`: a manifest this version cannot read (damaged, or
 * written by a newer Lifeboat); never counted as complete, never deleted.
 */
export type BackupState = 'complete' | 'incomplete' | 'unreadable';

/** What the catalog keeps of one drill record. */
export interface DrillSummary {
  readonly id: string;
  readonly key: string;
  readonly verdict: DrillVerdictName;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly backupId?: string;
  /** SHA-256 of the manifest the drill restored, as the record names it. */
  readonly manifestSha256?: string;
  readonly failure?: string;
  /** `verified`: signed by a key in `signing-public-key`; `unchecked`: read without keys to check it. */
  readonly signature: 'verified' | 'unchecked';
  /** Fingerprint of the key that signed the record, when verified. */
  readonly signedBy?: string;
  /** The whole record as read (RPO, RTO, phases, checks), for reports. */
  readonly record: DrillRecord;
}

/** A drill's verdict as records carry it. */
export type DrillVerdictName = 'pass' | 'fail' | 'inconclusive';

/** A readable drill record left out because it is not signed by a key in `signing-public-key`. */
export interface RejectedRecord {
  readonly key: string;
  /** One sentence: why it is ignored. */
  readonly problem: string;
}

/** How the catalog treats drill records: checked against `signing-public-key`, or taken as they are. */
export interface CatalogReadOptions {
  /** Public keys (armored blocks or paths) one of which must have signed a drill record for it to count. */
  readonly signingPublicKey?: string;
}

/** One backup of a name, as the store holds it. */
export interface CatalogBackup {
  readonly name: string;
  readonly id: string;
  /** When the backup started (from its id, UTC, second precision); retention buckets use it. */
  readonly time: Date;
  readonly state: BackupState;
  /** Bytes the store holds in the backup's folder, manifest included. */
  readonly size: number;
  /** The newest write seen: the id's time or any object's last-modified time, whichever is later. */
  readonly lastWrite: Date;
  /**
   * Why the backup is not usable: its manifest could not be read (state `unreadable`), or it
   * records a partial export (state `incomplete`; absent when there is simply no manifest).
   */
  readonly problem?: string;
  readonly manifest?: Manifest;
  /** SHA-256 of the manifest exactly as stored (what drill records name), when it was read. */
  readonly manifestSha256?: string;
  /** The newest drill record of this backup, if any. */
  readonly lastDrill?: DrillSummary;
  /** True when any drill of this backup passed. */
  readonly passedDrill: boolean;
  /** True when a drill record that cannot be read names this backup: it may record a pass. */
  readonly unreadableDrill: boolean;
  /** The listed objects; prune deletes exactly these. */
  readonly folder: BackupFolder;
}

/** A drill record that exists but could not be read. */
export interface UnreadableRecord {
  readonly key: string;
  readonly problem: string;
  /** The time the record's file name encodes, when it is named by a drill id. */
  readonly time?: Date;
  /** The backup the record names, when it is valid JSON with a well-formed `backupId` (e.g. a newer format). */
  readonly backupId?: string;
}

/** Every backup and drill record of one name. */
export interface NameCatalog {
  readonly name: string;
  /** Newest first. */
  readonly backups: readonly CatalogBackup[];
  /** Newest first (by finish time). */
  readonly drills: readonly DrillSummary[];
  readonly unreadableDrills: readonly UnreadableRecord[];
  /** Unsigned drill records, ignored because `signing-public-key` was given. */
  readonly rejectedDrills: readonly RejectedRecord[];
  /** Keys under the name that are neither backup objects nor drill records. */
  readonly strays: readonly string[];
  /** Objects under `<name>/objects/`, shared by the backups whose refs list them. */
  readonly shared: readonly StoredObject[];
}

/** Why a backup whose manifest records `source.complete: false` is incomplete. */
export const PARTIAL_EXPORT = 'export incomplete: its manifest records source.complete false';

/** How many manifests and drill records are read at once. */
const READ_CONCURRENCY = 8;

/** Reads the catalog of one name: one recursive listing, then every manifest and drill record. */
export async function readCatalog(store: Store, name: string, options: CatalogReadOptions = {}): Promise<NameCatalog> {
  requireValidName(name);
  const grouped = groupListing(await listAll(store, namePrefix(name)));
  return buildCatalog(store, listingOf(grouped, name), options);
}

/** Reads the catalogs of every name under the store's root, sorted by name. */
export async function readStoreCatalog(store: Store, options: CatalogReadOptions = {}): Promise<NameCatalog[]> {
  const grouped = groupListing(await listAll(store, ''));
  const catalogs: NameCatalog[] = [];
  for (const listing of grouped.values()) catalogs.push(await buildCatalog(store, listing, options));
  return catalogs;
}

/** The backup names under the store's root (names holding backups or drill records). */
export async function listBackupNames(store: Store): Promise<string[]> {
  return [...groupListing(await listAll(store, '')).keys()];
}

/**
 * The one name an operation acts on: `name` when given, else the only name in the store.
 * Undefined when the store holds no backups at all; an OptionError when it holds several.
 */
export async function resolveBackupName(store: Store, name: string | undefined): Promise<string | undefined> {
  if (name) {
    requireValidName(name);
    return name;
  }
  const names = await listBackupNames(store);
  if (names.length > 1) {
    throw new OptionError(
      `${store.location} holds backups of several names (${names.map((n) => `\`${n}\``).join(', ')}); the operation needs one.`,
      'Set `name` to one of them.',
    );
  }
  return names[0];
}

function requireValidName(name: string): void {
  if (!isValidBackupName(name)) {
    throw new OptionError(
      `\`${name}\` is not a usable backup name.`,
      'Use letters, digits, `.`, `_` and `-` (one path segment, at most 128 characters, not `drills`).',
    );
  }
}

async function buildCatalog(store: Store, listing: NameListing, options: CatalogReadOptions): Promise<NameCatalog> {
  const { name } = listing;
  const keys = options.signingPublicKey?.trim() ? options.signingPublicKey : undefined;
  const drillResults = await mapLimit(listing.drillObjects, READ_CONCURRENCY, async (object) =>
    readDrill(store, object.key, keys ? { name, publicKeys: keys, signed: listing.drillSignatures.has(`${object.key}${SIGNATURE_SUFFIX}`) } : undefined),
  );
  const drills = drillResults
    .filter((r): r is DrillSummary => 'verdict' in r)
    .sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime() || compareText(b.id, a.id));
  const unreadableDrills = drillResults.filter((r): r is UnreadableRecord => 'problem' in r && !('rejected' in r));
  const rejectedDrills = drillResults
    .filter((r): r is RejectedRecord & { rejected: true } => 'rejected' in r)
    .map(({ key, problem }) => ({ key, problem }));
  const namedByUnreadable = new Set(unreadableDrills.map((u) => u.backupId).filter((id) => id !== undefined));

  const backups = await mapLimit(listing.folders, READ_CONCURRENCY, async (folder): Promise<CatalogBackup> => {
    const time = backupIdTime(folder.id)!;
    const size = folder.objects.reduce((sum, o) => sum + o.size, 0);
    const lastWrite = new Date(Math.max(time.getTime(), ...folder.objects.map((o) => o.lastModified?.getTime() ?? 0)));
    const ofThis = drills.filter((d) => d.backupId === folder.id);
    const common = {
      name,
      id: folder.id,
      time,
      size,
      lastWrite,
      folder,
      lastDrill: ofThis[0],
      passedDrill: ofThis.some((d) => d.verdict === 'pass'),
      unreadableDrill: namedByUnreadable.has(folder.id),
    };
    if (!folder.hasManifest) return { ...common, state: 'incomplete' };
    const read = await readManifest(store, folder);
    if (!('manifest' in read)) return { ...common, state: 'unreadable', problem: read.problem };
    const manifestSha256 = read.sha256;
    // A source that stored what it had but could not finish (a canister export whose user list kept changing) says so here.
    if (read.manifest.source.complete === false) return { ...common, state: 'incomplete', manifest: read.manifest, manifestSha256, problem: PARTIAL_EXPORT };
    return { ...common, state: 'complete', manifest: read.manifest, manifestSha256 };
  });
  return { name, backups, drills, unreadableDrills, rejectedDrills, strays: listing.strays, shared: listing.shared };
}

/** Reads and checks a listed manifest. Parse problems are results; store errors propagate. */
async function readManifest(store: Store, folder: BackupFolder): Promise<{ manifest: Manifest; sha256: string } | { problem: string }> {
  const key = manifestKey(folder.name, folder.id);
  let text: string;
  try {
    text = await readSmallObject(store, key);
  } catch (error) {
    if (error instanceof ObjectTooLargeError) return { problem: `${key} is larger than a manifest can be (over 1 MiB).` };
    throw error;
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(text, key);
  } catch (error) {
    if (error instanceof ManifestError) return { problem: error.message };
    throw error;
  }
  if (manifest.id !== folder.id || manifest.name !== folder.name) {
    return { problem: `${key} describes ${manifest.name}/${manifest.id}, not the folder it is stored in.` };
  }
  return { manifest, sha256: manifestDigest(text) };
}

/** How a drill record's signature is checked: against these keys, given whether the listing shows a signature. */
interface RecordCheck {
  readonly name: string;
  readonly publicKeys: string;
  readonly signed: boolean;
}

/**
 * Reads one drill record. With `check`, an unsigned record is rejected (ignored, saying so) and
 * one whose signature does not verify is unreadable: it may hide a genuine failing verdict.
 */
async function readDrill(store: Store, key: string, check?: RecordCheck): Promise<DrillSummary | UnreadableRecord | (RejectedRecord & { rejected: true })> {
  const fileId = key.slice(key.lastIndexOf('/') + 1, -'.json'.length);
  const unreadable = (problem: string): UnreadableRecord => ({ key, problem, time: backupIdTime(fileId) });
  let text: string;
  try {
    text = await readSmallObject(store, key);
  } catch (error) {
    if (error instanceof ObjectTooLargeError) return unreadable(`${key} is larger than a drill record can be (over 1 MiB).`);
    throw error;
  }
  let signedBy: string | undefined;
  if (check) {
    if (!check.signed) {
      return { key, rejected: true, problem: `Drill record ${key} is ignored: it has no signature (${fileId}.json${SIGNATURE_SUFFIX}), and \`signing-public-key\` is set.` };
    }
    try {
      const signature = await readSmallObject(store, `${key}${SIGNATURE_SUFFIX}`, 64 * 1024);
      signedBy = (await verifyDetached(Buffer.from(text), signature, check.publicKeys)).fingerprint;
    } catch (error) {
      if (error instanceof ObjectTooLargeError) return unreadable(`${key}${SIGNATURE_SUFFIX} is larger than a signature can be.`);
      // Keys that cannot be read are the operator's problem, not the record's: they stop the run.
      if (error instanceof SignatureError && error.problem !== 'no-keys') {
        return unreadable(`${key} is not trusted: its signature does not verify (${error.message}); it may have been altered after the drill.`);
      }
      throw error;
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return unreadable(`${key} is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = drillRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // A record this version cannot read (e.g. a newer format) may still record a pass: keep the backup it names.
    const named = (json as { backupId?: unknown } | null)?.backupId;
    const backupId = typeof named === 'string' && isBackupId(named) ? named : undefined;
    return { ...unreadable(`${key} is not a Lifeboat drill record: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`), backupId };
  }
  const record = parsed.data;
  // A signed record copied to another name or id would vouch for what it never drilled.
  if (check && (record.name !== check.name || record.id !== fileId)) {
    return unreadable(`${key} is not trusted: it is signed, but records drill ${record.name}/${record.id}, not the name and id it is stored under.`);
  }
  return {
    id: record.id,
    key,
    verdict: record.verdict,
    startedAt: new Date(record.startedAt),
    finishedAt: new Date(record.finishedAt),
    backupId: record.backupId,
    manifestSha256: record.manifestSha256,
    failure: record.failure,
    signature: signedBy ? 'verified' : 'unchecked',
    signedBy,
    record,
  };
}
