import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { CheckResult } from '../../catalog/drill-record.js';
import { mapLimit } from '../../catalog/store-reads.js';
import type { RunContext } from '../../context.js';
import { decryptToFile, type DecryptionKeys, type DecryptScheme } from '../../crypto/index.js';
import { VerificationError } from '../../drill/errors.js';
import { HashCounter } from '../../pipeline/stages.js';
import type { Store } from '../../storage/store.js';
import { indexEndSchema, indexEntrySchema, type IndexEntry } from './object-index.js';

/** Reads the decrypted index: every entry, refusing one that is cut short, malformed or whose count line disagrees. */
export async function readIndex(path: string): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let end: { objects: number; bytes: number } | undefined;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    line++;
    if (text === '') continue;
    if (end) throw new VerificationError(`The bucket index has data after its count line (line ${line}).`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VerificationError(`The bucket index line ${line} is not JSON.`);
    }
    const last = indexEndSchema.safeParse(json);
    if (last.success) {
      end = last.data;
      continue;
    }
    const parsed = indexEntrySchema.safeParse(json);
    if (!parsed.success) throw new VerificationError(`The bucket index line ${line} is not an index entry: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}.`);
    entries.push(parsed.data);
  }
  if (!end) throw new VerificationError('The bucket index has no count line: it was cut short.');
  const bytes = entries.reduce((sum, e) => sum + e.size, 0);
  if (end.objects !== entries.length || end.bytes !== bytes) {
    throw new VerificationError(`The bucket index lists ${entries.length} objects (${bytes} bytes), but its count line says ${end.objects} (${end.bytes} bytes).`);
  }
  return entries;
}

/** How one object is fetched and checked. */
export interface ObjectReader {
  readonly store: Store;
  /** The backup name: blobs live under `<name>/`. */
  readonly name: string;
  /** Undefined for `encryption: none` backups. */
  readonly keys?: DecryptionKeys;
  readonly scheme: DecryptScheme;
  readonly context: RunContext;
}

/**
 * Fetches one object's blob, checks the stored bytes' size and SHA-256, decrypts it to
 * `outPath` and checks the plaintext's size and SHA-256 against the index. Any failure is a
 * VerificationError naming the object's key; `outPath` is then removed.
 */
export async function fetchVerified(reader: ObjectReader, entry: IndexEntry, outPath: string): Promise<void> {
  const stored = new HashCounter();
  const what = `Object \`${entry.key}\` (stored as ${reader.name}/${entry.blob})`;
  try {
    const body = await reader.store.get(`${reader.name}/${entry.blob}`);
    let plain: { bytes: number; sha256: string };
    if (reader.keys) {
      const counted = body.pipe(stored);
      body.on('error', (error) => counted.destroy(error));
      try {
        plain = await decryptToFile(counted, reader.keys, outPath, { scheme: reader.scheme, label: entry.blob, signal: reader.context.signal, env: reader.context.env, engine: 'openpgp' });
      } catch (error) {
        // A changed blob is named as such, whatever decryption made of it.
        for await (const _ of counted) void _;
        throw error;
      }
    } else {
      const plainHash = new HashCounter();
      await pipeline(body, stored, plainHash, createWriteStream(outPath, { mode: 0o600 }), { signal: reader.context.signal });
      plain = { bytes: plainHash.bytes, sha256: plainHash.sha256() };
    }
    if (stored.bytes !== entry.blobSize || stored.sha256() !== entry.blobSha256) {
      throw new VerificationError(`${what}: the stored bytes are not the ones backed up (${stored.bytes} bytes, SHA-256 ${stored.sha256()}; the index says ${entry.blobSize} bytes, ${entry.blobSha256}).`);
    }
    if (plain.bytes !== entry.size || plain.sha256 !== entry.sha256) {
      throw new VerificationError(`${what}: decrypted to ${plain.bytes} bytes with SHA-256 ${plain.sha256}; the index says ${entry.size} bytes, ${entry.sha256}.`);
    }
  } catch (error) {
    await rm(outPath, { force: true });
    if (error instanceof VerificationError && error.message.startsWith(what)) throw error;
    let hashed: string | undefined;
    try {
      hashed = stored.sha256();
    } catch {
      hashed = undefined;
    }
    const changed = hashed !== undefined && (stored.bytes !== entry.blobSize || hashed !== entry.blobSha256) ? ' The stored bytes differ from the ones backed up.' : '';
    throw new VerificationError(`${what} failed verification: ${(error as Error).message}${changed}`);
  }
}

/** What a pass over the index verified. */
export interface VerifiedObjects {
  readonly objects: number;
  readonly bytes: number;
}

/** Fetches and checks `entries` into `folder` (files named by position), `concurrency` at a time; `each` may move or upload the file. */
export async function verifyAll(
  reader: ObjectReader,
  entries: readonly IndexEntry[],
  folder: string,
  concurrency: number,
  each?: (entry: IndexEntry, path: string) => Promise<void>,
): Promise<VerifiedObjects> {
  let bytes = 0;
  await mapLimit(entries, concurrency, async (entry, i) => {
    const path = join(folder, String(i));
    await fetchVerified(reader, entry, path);
    bytes += entry.size;
    if (each) await each(entry, path);
  });
  return { objects: entries.length, bytes };
}

/** The drill's evidence of a bucket backup: objects and bytes verified, of how many. */
export function verifiedChecks(verified: VerifiedObjects, total: { objects: number; bytes: number }, sampled: boolean): CheckResult[] {
  return [
    { name: 'bucket objects verified', kind: 'bucket-objects', ok: true, expected: sampled ? verified.objects : total.objects, actual: verified.objects, message: `${verified.objects} of ${total.objects} objects fetched, decrypted and checked (size and SHA-256)${sampled ? ', a sample' : ''}` },
    { name: 'bucket bytes verified', kind: 'bucket-bytes', ok: true, expected: sampled ? verified.bytes : total.bytes, actual: verified.bytes, message: `${verified.bytes} of ${total.bytes} bytes` },
  ];
}
