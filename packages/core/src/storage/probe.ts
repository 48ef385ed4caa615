import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { StoreProbeError } from './errors.js';
import type { RunContext } from '../context.js';
import type { Store } from './store.js';

/** A fresh key for a probe object, at the store's root where no backup name can be (names never start with `.`). */
export function probeKey(): string {
  return `.lifeboat-probe-${randomBytes(6).toString('hex')}`;
}

/** The bytes a probe object holds: a line that says what it is, should one be left behind. */
export function probeBody(key: string): Buffer {
  return Buffer.from(`Lifeboat store probe ${key}: written, read back and removed before a backup; safe to delete.\n`);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Writes a small probe object through the store's own `put`, reads it back through `get`,
 * compares the bytes and deletes it. Any step that fails rejects with the store's own error
 * (which names the fix); a probe that could not be removed is named so it can be.
 */
export async function writeProbe(store: Store): Promise<void> {
  const key = probeKey();
  const body = probeBody(key);
  await store.put(key, Readable.from([body]), { expectedSize: body.length, contentType: 'text/plain' });
  let failure: unknown;
  try {
    const back = await readAll(await store.get(key));
    if (!back.equals(body)) {
      failure = new StoreProbeError(
        `The probe object '${key}' read back from ${store.location} differs from what was written (${back.length} bytes instead of ${body.length}).`,
        'Something between Lifeboat and the store alters objects: check `store` and, for S3-compatible stores, `s3-endpoint`.',
      );
    }
  } catch (error) {
    failure = error;
  }
  const removed = await store.delete([key]);
  if (failure) throw failure;
  const refused = removed.failed[0];
  if (refused) {
    throw new StoreProbeError(
      `The probe object '${key}' was written to ${store.location} but could not be removed: ${refused.reason}`,
      'Let the credentials in use delete objects (retention needs it too), then remove that object by hand.',
    );
  }
}


/** Before a backup reads its source: the store exists (or is created when asked) and takes, returns and removes a probe object. */
export async function probeStore(store: Store, create: boolean | undefined, context: RunContext): Promise<void> {
  const { notes } = await store.probe({ write: true, create: create ?? false });
  for (const note of notes) context.reporter.info(note);
}
