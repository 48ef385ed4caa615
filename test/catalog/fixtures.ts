/**
 * Writes backups and drill records the way the backup and drill writers lay them out
 * (catalog/layout.ts), with valid manifests and drill records, into any Store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  backupObjectKey,
  DRILL_RECORD_FORMAT,
  drillRecordKey,
  MANIFEST_FORMAT,
  manifestKey,
  serializeManifest,
  type DrillRecord,
  type Manifest,
} from '../../packages/core/src/catalog/index.js';
import type { Store } from '../../packages/core/src/storage/store.js';

/** A backup id at a given ISO time: `2025-03-14T02:00:00Z` → `20250314T020000Z-<suffix>`. */
export function idAt(iso: string, suffix = 'aaaaaa'): string {
  return `${new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}-${suffix}`;
}

/** Stores text or bytes at a key through the store's own `put`. */
export async function putObject(store: Store, key: string, content: string | Buffer): Promise<void> {
  await store.put(key, Readable.from([Buffer.from(content)]));
}

export interface BackupFixture {
  readonly manifest: Manifest;
  /** Every key written, manifest last. */
  readonly keys: string[];
  readonly payloadKey: string;
}

/** Writes a backup's payload and stats, then (unless `complete: false`) its manifest. */
export async function writeBackup(
  store: Store,
  name: string,
  id: string,
  options: { complete?: boolean; payload?: Buffer; encryption?: 'openpgp' | 'none'; signature?: boolean } = {},
): Promise<BackupFixture> {
  const encrypted = (options.encryption ?? 'openpgp') === 'openpgp';
  const payload = options.payload ?? randomBytes(64 + (id.charCodeAt(id.length - 1) % 64));
  const stats = Buffer.from(`stats of ${id}`);
  const suffix = encrypted ? '.pgp' : '';
  const files = [
    { role: 'payload', file: `db.pgdump${suffix}`, bytes: payload },
    { role: 'stats', file: `stats.json${suffix}`, bytes: stats },
  ];
  const keys: string[] = [];
  for (const f of files) {
    const key = backupObjectKey(name, id, f.file);
    await putObject(store, key, f.bytes);
    keys.push(key);
  }
  const time = idTime(id);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    id,
    name,
    tool: { name: 'lifeboat', version: '0.1.0' },
    source: { kind: 'postgres', serverVersion: '15.8', format: 'custom' },
    startedAt: time.toISOString(),
    finishedAt: new Date(time.getTime() + 42_000).toISOString(),
    durationMs: 42_000,
    objects: files.map((f) => ({ role: f.role, file: f.file, size: f.bytes.length, sha256: sha256(f.bytes) })),
    encryption: encrypted
      ? { scheme: 'openpgp', recipients: [{ fingerprint: 'a'.repeat(40), userIds: ['Ops <ops@example.org>'] }], passphrase: false }
      : { scheme: 'none', recipients: [], passphrase: false },
    provenance: {},
  };
  if (options.signature) {
    const key = backupObjectKey(name, id, 'manifest.json.sig');
    await putObject(store, key, '-----BEGIN PGP SIGNATURE-----\n...\n');
    keys.push(key);
  }
  if (options.complete !== false) {
    await putObject(store, manifestKey(name, id), serializeManifest(manifest));
    keys.push(manifestKey(name, id));
  }
  return { manifest, keys, payloadKey: keys[0]! };
}

/** Writes a drill record for `backupId` that finished at `finishedAt`. */
export async function writeDrill(
  store: Store,
  name: string,
  options: { backupId?: string; verdict: 'pass' | 'fail' | 'inconclusive'; finishedAt: string; failure?: string; id?: string },
): Promise<DrillRecord> {
  const finished = new Date(options.finishedAt);
  const started = new Date(finished.getTime() - 120_000);
  const id = options.id ?? idAt(started.toISOString(), 'drlldr');
  const record: DrillRecord = {
    format: DRILL_RECORD_FORMAT,
    id,
    name,
    backupId: options.backupId,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    verdict: options.verdict,
    failure: options.failure,
    phases: [],
    checks: [],
    versions: {},
    provenance: {},
  };
  await putObject(store, drillRecordKey(name, id), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function idTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id)!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
