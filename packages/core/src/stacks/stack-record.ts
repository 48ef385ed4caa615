import { Readable } from 'node:stream';
import { z } from 'zod';
import { isBackupId } from '../catalog/backup-id.js';
import { SIGNATURE_SUFFIX } from '../catalog/layout.js';
import { manifestDigest, provenanceSchema } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import { SignatureError, signDetached, verifyDetached } from '../crypto/index.js';
import { formatDuration } from '../options/values.js';
import { LifeboatError } from '../report/errors.js';
import type { Store } from '../storage/store.js';

/** The stack record format this version writes and reads. */
export const STACK_RECORD_FORMAT = 1;
/** The folder under `<stack>/` holding stack records. */
export const STACKS_FOLDER = 'stacks';

/** Key of a stack record: `<stack>/stacks/<id>.json`. */
export function stackRecordKey(stack: string, id: string): string {
  return `${stack}/${STACKS_FOLDER}/${id}.json`;
}

const memberSchema = z.looseObject({
  asset: z.string(),
  engine: z.string(),
  /** The member's backup name in the store (`<stack>-<asset>`). */
  name: z.string(),
  backupId: z.string(),
  /** SHA-256 of the member's manifest exactly as stored: a drill refuses a manifest changed since. */
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** When the member's snapshot was taken (its manifest's `startedAt`). */
  snapshotAt: z.iso.datetime({ offset: true }),
});

/**
 * One complete stack backup, written after every member's manifest: it exists only when every
 * member is complete and their snapshots lie within `max-skew` of each other.
 */
export const stackRecordSchema = z.looseObject({
  format: z.literal(STACK_RECORD_FORMAT),
  stack: z.string(),
  id: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  /** First and last member snapshot, and the time between them. */
  window: z.looseObject({ first: z.iso.datetime({ offset: true }), last: z.iso.datetime({ offset: true }), skewMs: z.number().nonnegative() }),
  maxSkewMs: z.number().optional(),
  restoreOrder: z.array(z.string()),
  members: z.array(memberSchema).min(1),
  provenance: provenanceSchema.default({}),
});
export type StackRecord = z.infer<typeof stackRecordSchema>;
export type StackMember = z.infer<typeof memberSchema>;

/** The snapshots are further apart than `max-skew`: the members are not one consistent state. */
export class StackSkewError extends LifeboatError {
  constructor(message: string) {
    super('stack-skew', message, 'Back the stack up when it is quiet, raise `max-skew` in the stack file if the system tolerates it, or make the slow member faster (it bounds how far apart the snapshots lie).');
  }
}

/**
 * The consistency window of a stack backup: the first and last member snapshot. With
 * `maxSkewMs`, a wider window is an error naming both members and both times. Pure.
 */
export function consistencyWindow(members: readonly Pick<StackMember, 'asset' | 'snapshotAt'>[], maxSkewMs?: number): StackRecord['window'] {
  const sorted = [...members].sort((a, b) => Date.parse(a.snapshotAt) - Date.parse(b.snapshotAt));
  const first = sorted[0]!;
  const last = sorted.at(-1)!;
  const skewMs = Date.parse(last.snapshotAt) - Date.parse(first.snapshotAt);
  if (maxSkewMs !== undefined && skewMs > maxSkewMs) {
    throw new StackSkewError(
      `The members' snapshots are ${formatDuration(skewMs)} apart, more than max-skew ${formatDuration(maxSkewMs)}: ${first.asset} at ${first.snapshotAt}, ${last.asset} at ${last.snapshotAt}. No stack record was written; the member backups stand on their own.`,
    );
  }
  return { first: first.snapshotAt, last: last.snapshotAt, skewMs };
}

/** Stores the record, its detached signature first when `signing` is given, so a record never appears unsigned. */
export async function writeStackRecord(store: Store, record: StackRecord, signing?: { signingKey: string; passphrase?: string }): Promise<string> {
  const json = `${JSON.stringify(stackRecordSchema.parse(record), null, 2)}\n`;
  const key = stackRecordKey(record.stack, record.id);
  if (signing) {
    const { signature } = await signDetached(Buffer.from(json), signing);
    await store.put(`${key}${SIGNATURE_SUFFIX}`, Readable.from([Buffer.from(signature)]), { contentType: 'application/pgp-signature' });
  }
  await store.put(key, Readable.from([Buffer.from(json)]), { contentType: 'application/json' });
  return key;
}

/** A stack record read back, with how far its origin was proven. */
export interface SelectedStack {
  readonly record: StackRecord;
  readonly key: string;
  /** SHA-256 of the record exactly as stored. */
  readonly sha256: string;
  readonly signedBy?: string;
  /** Newer records passed over, one sentence each (unreadable ones). */
  readonly skipped: readonly string[];
}

/** The stack has no record to drill. */
export class NoStackError extends LifeboatError {
  constructor(message: string) {
    super('no-stack', message, 'Back the stack up first (`lifeboat backup --stack`); a stack backup whose member failed or whose skew was too wide has no record.');
  }
}

/**
 * The newest stack record of `stack` (ids sort by time). Its signature must verify against
 * `signingPublicKey`; without one, `allowUnsigned` must accept it. A record that does not
 * parse is passed over and named; one whose signature fails stops the drill (a forgery).
 */
export async function selectStackRecord(store: Store, stack: string, auth: { signingPublicKey?: string; allowUnsigned: boolean }): Promise<SelectedStack> {
  const prefix = `${stack}/${STACKS_FOLDER}/`;
  const ids: string[] = [];
  const signatures = new Set<string>();
  for await (const object of store.list(prefix)) {
    const file = object.key.slice(prefix.length);
    if (file.endsWith(`.json${SIGNATURE_SUFFIX}`)) signatures.add(file.slice(0, -`.json${SIGNATURE_SUFFIX}`.length));
    else if (file.endsWith('.json') && isBackupId(file.slice(0, -5))) ids.push(file.slice(0, -5));
  }
  ids.sort().reverse();
  const skipped: string[] = [];
  for (const id of ids) {
    const key = stackRecordKey(stack, id);
    const text = await readSmallObject(store, key);
    let record: StackRecord;
    try {
      record = stackRecordSchema.parse(JSON.parse(text));
    } catch (error) {
      skipped.push(`Stack record ${id} was passed over: it is not a stack record (${(error as Error).message.split('\n')[0]}).`);
      continue;
    }
    if (!signatures.has(id)) {
      if (!auth.allowUnsigned) throw new SignatureError('unsigned', `Stack record ${id} has no signature, so nothing proves your backup job wrote it.`, 'Set `signing-key` on the stack backup; to accept unsigned stack records, set `allow-unsigned: true`.');
      return { record, key, sha256: manifestDigest(text), skipped };
    }
    if (!auth.signingPublicKey) return { record, key, sha256: manifestDigest(text), skipped };
    const signature = await readSmallObject(store, `${key}${SIGNATURE_SUFFIX}`);
    const { fingerprint } = await verifyDetached(Buffer.from(text), signature, auth.signingPublicKey);
    return { record, key, sha256: manifestDigest(text), signedBy: fingerprint, skipped };
  }
  throw new NoStackError(`Stack ${stack} has no stack record in ${store.location}${skipped.length > 0 ? ` that can be read (${skipped.join(' ')})` : ''}.`);
}
