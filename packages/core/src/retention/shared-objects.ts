import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CatalogBackup, NameCatalog } from '../catalog/catalog.js';
import { REFS_ROLE, sharedObjectKey } from '../catalog/layout.js';
import type { Store, StoredObject } from '../storage/store.js';
import { LifeboatError } from '../report/errors.js';

/**
 * `refs.json`: the shared objects (under `<name>/objects/`) one backup needs, plaintext so
 * that retention reads it without keys. Retention reads only `path`; engines keep their own
 * fields beside it.
 */
export const refsSchema = z.looseObject({
  format: z.literal(1),
  objects: z.array(z.looseObject({ path: z.string().regex(/^objects\/[^/].*$/) })),
});

/** What the shared-object decision knows of one backup of the name. */
export interface SharedUse {
  readonly id: string;
  /** True when this prune deletes the backup. */
  readonly deleted: boolean;
  /**
   * Keys of the shared objects it needs; undefined when that is unknown (no manifest yet: a
   * backup still running may already need objects; an unreadable manifest or refs file).
   */
  readonly needs?: ReadonlySet<string>;
}

/**
 * The shared objects a prune may delete: none while any kept backup's needs are unknown;
 * otherwise those no kept backup needs and last written before the grace period (a backup
 * still running writes its new objects before anything else). Pure.
 */
export function sharedObjectsToDelete(shared: readonly StoredObject[], uses: readonly SharedUse[], now: Date, graceMs: number): string[] {
  const kept = uses.filter((u) => !u.deleted);
  if (kept.some((u) => u.needs === undefined)) return [];
  const needed = new Set<string>();
  for (const use of kept) for (const key of use.needs!) needed.add(key);
  return shared
    .filter((o) => !needed.has(o.key) && o.lastModified !== undefined && now.getTime() - o.lastModified.getTime() > graceMs)
    .map((o) => o.key);
}

/** A refs file that cannot be trusted: retention then deletes no shared object. */
export class RefsUnreadableError extends LifeboatError {
  constructor(message: string) {
    super('refs-unreadable', message, 'Nothing shared was deleted. Check the backup named; drill it to see whether it is damaged.');
  }
}

/** Reads a complete backup's refs file, checked against its manifest entry; the keys it needs (empty when it has none). */
export async function readNeeds(store: Store, backup: CatalogBackup, limit = 512 * 1024 * 1024): Promise<Set<string>> {
  const entry = backup.manifest?.objects.find((o) => o.role === REFS_ROLE);
  if (!entry) return new Set();
  const key = `${backup.name}/${backup.id}/${entry.file}`;
  const body = await readChecked(store, key, entry.size, entry.sha256, limit);
  const parsed = refsSchema.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) throw new RefsUnreadableError(`${key} is not a refs file: ${parsed.error.issues[0]?.message}.`);
  return new Set(parsed.data.objects.map((o) => sharedObjectKey(backup.name, o.path)));
}

/** Reads an object whole, refusing it unless its size and SHA-256 are the manifest's. */
export async function readChecked(store: Store, key: string, size: number, sha256: string, limit: number): Promise<Buffer> {
  if (size > limit) throw new RefsUnreadableError(`${key} is ${size} bytes, more than ${limit} this run reads.`);
  const stream = await store.get(key);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > size) break;
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  const body = Buffer.concat(chunks);
  const digest = createHash('sha256').update(body).digest('hex');
  if (total !== size || digest !== sha256) {
    throw new RefsUnreadableError(`${key} is not the file its manifest lists (size or SHA-256 differ).`);
  }
  return body;
}

/** What every backup of a catalog needs, as the decision reads it; `deleting` holds the ids this prune deletes. */
export async function sharedUses(store: Store, catalog: NameCatalog, deleting: ReadonlySet<string>): Promise<SharedUse[]> {
  const uses: SharedUse[] = [];
  for (const backup of catalog.backups) {
    if (deleting.has(backup.id)) uses.push({ id: backup.id, deleted: true });
    else if (backup.state === 'unreadable' || !backup.manifest) uses.push({ id: backup.id, deleted: false });
    else uses.push({ id: backup.id, deleted: false, needs: await readNeeds(store, backup) });
  }
  return uses;
}
