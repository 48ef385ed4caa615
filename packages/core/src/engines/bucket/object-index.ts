import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const blobPath = z.string().regex(/^objects\/[0-9A-Za-z-]+\/[0-9]+(\.pgp|\.age)?$/);

/**
 * One line of the encrypted index (`index.ndjson`): an object of the bucket at backup time
 * and the shared object (`blob`, under `<name>/`) that holds its encrypted bytes.
 */
export const indexEntrySchema = z.looseObject({
  /** Key relative to the backed-up prefix. */
  key: z.string(),
  size: z.number().int().nonnegative(),
  /** SHA-256 of the object's bytes. */
  sha256: sha256Hex,
  etag: z.string(),
  lastModified: z.string().optional(),
  versionId: z.string().optional(),
  blob: blobPath,
  /** Bytes and SHA-256 of the blob as stored (ciphertext). */
  blobSize: z.number().int().nonnegative(),
  blobSha256: sha256Hex,
});
export type IndexEntry = z.infer<typeof indexEntrySchema>;

/** The index's last line: a cut-short index never passes for a whole one. */
export const indexEndSchema = z.looseObject({ end: z.literal(true), objects: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });

/** What `refs.json` records per object: enough to reference its blob again, nothing readable about content. */
export const refsEntrySchema = z.looseObject({
  path: blobPath,
  blobSize: z.number().int().nonnegative(),
  blobSha256: sha256Hex,
  /** HMAC of the object's location, ETag and size: equal when the object is unchanged. */
  match: sha256Hex,
  /** The object's SHA-256 and version id, AES-256-GCM-sealed with a key derived from the same facts. */
  seal: z.string().regex(/^[0-9a-f]+$/),
});
export type RefsEntry = z.infer<typeof refsEntrySchema>;

/** The facts that say an object is unchanged: where it is, its ETag, its size. */
export interface ObjectIdentity {
  /** `s3://bucket/full/key`. */
  readonly url: string;
  readonly etag: string;
  readonly size: number;
}

function derive(label: string, id: ObjectIdentity): Buffer {
  return createHmac('sha256', `lifeboat-bucket-${label}-v1`).update(`${id.url}\0${id.etag}\0${id.size}`).digest();
}

/** The `match` of an object: what the next backup compares. */
export function matchOf(id: ObjectIdentity): string {
  return derive('match', id).toString('hex');
}

/**
 * Seals what the next backup's index must repeat for an unchanged object (its SHA-256 and
 * version id), so that the plaintext refs file reveals it only to whoever already knows the
 * object's key and ETag.
 */
export function seal(id: ObjectIdentity, facts: { sha256: string; versionId?: string }): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive('seal', id), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(facts)), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('hex');
}

/** Opens a seal; undefined when it does not open with these facts (the object changed, or the refs were altered). */
export function unseal(id: ObjectIdentity, sealed: string): { sha256: string; versionId?: string } | undefined {
  try {
    const raw = Buffer.from(sealed, 'hex');
    const decipher = createDecipheriv('aes-256-gcm', derive('seal', id), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const facts = z.object({ sha256: sha256Hex, versionId: z.string().optional() }).parse(JSON.parse(text));
    return facts;
  } catch {
    return undefined;
  }
}

/** What the backup does with one listed object. */
export type ObjectPlan =
  | { readonly action: 'reference'; readonly entry: IndexEntry; readonly refs: RefsEntry }
  | { readonly action: 'copy' };

/**
 * Copy or reference: an object whose location, ETag and size match an entry of the previous
 * backup's refs (and whose seal opens) is referenced; anything else is copied. Pure.
 */
export function planObject(
  listed: { readonly key: string; readonly size: number; readonly etag: string; readonly lastModified?: string },
  id: ObjectIdentity,
  previous: ReadonlyMap<string, RefsEntry>,
): ObjectPlan {
  if (!listed.etag) return { action: 'copy' };
  const refs = previous.get(matchOf(id));
  if (!refs) return { action: 'copy' };
  const facts = unseal(id, refs.seal);
  if (!facts) return { action: 'copy' };
  return {
    action: 'reference',
    refs,
    entry: {
      key: listed.key,
      size: listed.size,
      sha256: facts.sha256,
      etag: listed.etag,
      ...(listed.lastModified && { lastModified: listed.lastModified }),
      ...(facts.versionId && { versionId: facts.versionId }),
      blob: refs.path,
      blobSize: refs.blobSize,
      blobSha256: refs.blobSha256,
    },
  };
}

/**
 * The entries a drill verifies: all of them, or `sample` of them (the largest always, the rest
 * at random, so repeated drills cover different objects). Pure given `random`.
 */
export function chooseSample<T extends { readonly size: number }>(entries: readonly T[], sample: number | undefined, random: () => number = Math.random): T[] {
  if (sample === undefined || sample >= entries.length) return [...entries];
  if (sample <= 0) return [];
  let largest = 0;
  entries.forEach((e, i) => {
    if (e.size > entries[largest]!.size) largest = i;
  });
  const rest = entries.filter((_, i) => i !== largest);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  return [entries[largest]!, ...rest.slice(0, sample - 1)];
}
