import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LifeboatError } from '../report/errors.js';

/** The manifest format this version writes and reads. */
export const MANIFEST_FORMAT = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const isoTime = z.iso.datetime({ offset: true });

/** One stored object of a backup; `file` is relative to the backup's folder. */
export const storedFileSchema = z.looseObject({
  /** `payload` (the dump/export), `stats` (encrypted table stats), or another role. */
  role: z.string().min(1),
  file: z.string().min(1),
  /** Bytes as stored (ciphertext when encrypted). */
  size: z.number().int().nonnegative(),
  /** SHA-256 of the stored bytes. */
  sha256: sha256Hex,
  contentType: z.string().optional(),
});

export const recipientSchema = z.looseObject({
  fingerprint: z.string().regex(/^[0-9a-f]{40,64}$/),
  userIds: z.array(z.string()).default([]),
});

export const encryptionSchema = z.looseObject({
  scheme: z.enum(['openpgp', 'none']),
  recipients: z.array(recipientSchema).default([]),
  /** True when a symmetric passphrase can also decrypt. */
  passphrase: z.boolean().default(false),
});

export const provenanceSchema = z.looseObject({
  repository: z.string().optional(),
  workflow: z.string().optional(),
  runId: z.string().optional(),
  runAttempt: z.string().optional(),
  commit: z.string().optional(),
  ref: z.string().optional(),
  actor: z.string().optional(),
  runUrl: z.string().optional(),
  host: z.string().optional(),
});

/**
 * `manifest.json`: operational metadata only. Nothing derived from the data's content
 * (table names, row counts) is stored here in plaintext.
 */
export const manifestSchema = z.looseObject({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string().min(1),
  name: z.string().min(1),
  tool: z.looseObject({ name: z.literal('lifeboat'), version: z.string() }),
  /** Source kind and its versions/format; the kind's engine reads the rest with its own schema (engines/registry.ts). */
  source: z.looseObject({
    kind: z.string().min(1),
  }),
  startedAt: isoTime,
  finishedAt: isoTime,
  durationMs: z.number().nonnegative(),
  objects: z.array(storedFileSchema).min(1),
  encryption: encryptionSchema,
  provenance: provenanceSchema.default({}),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type StoredFile = z.infer<typeof storedFileSchema>;
export type ManifestEncryption = z.infer<typeof encryptionSchema>;

/** A manifest that is missing, unreadable or of an unknown format. */
export class ManifestError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('invalid-manifest', message, fix);
  }
}

/** Serializes a manifest the way it is stored (stable key order, trailing newline). */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifestSchema.parse(manifest), null, 2)}\n`;
}

/** Parses stored manifest bytes; `where` names the object in the error. */
export function parseManifest(text: string, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${where} is not valid JSON (${(error as Error).message}).`, 'The backup is damaged; use another backup id.');
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > MANIFEST_FORMAT) {
    throw new ManifestError(
      `${where} has format ${format}, newer than this Lifeboat reads (${MANIFEST_FORMAT}).`,
      'Upgrade Lifeboat to read it.',
    );
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new ManifestError(`${where} is not a Lifeboat manifest: ${path}: ${issue?.message}.`, 'The backup is damaged; use another backup id.');
  }
  return result.data;
}

/** SHA-256 (hex) of the exact manifest bytes, recorded in drill evidence. */
export function manifestDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The payload entry of a manifest (the dump or export). */
export function payloadOf(manifest: Manifest): StoredFile {
  const payload = manifest.objects.find((o) => o.role === 'payload');
  if (!payload) throw new ManifestError(`Manifest of ${manifest.id} lists no payload object.`, 'The backup is damaged; use another backup id.');
  return payload;
}
