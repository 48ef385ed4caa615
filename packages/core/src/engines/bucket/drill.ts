import { rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { RunContext } from '../../context.js';
import { loadDecryptionKeys } from '../../crypto/index.js';
import { RestoreTargetError, VerificationError } from '../../drill/errors.js';
import type { DrillOptions } from '../../options/drill.js';
import type { RestoreOptions } from '../../options/restore.js';
import { removePrivateTempDir } from '../../process/private-temp.js';
import { privateWorkDir } from '../../process/work-dir.js';
import { openStore } from '../../storage/open-store.js';
import type { DecryptedBackup, PreparedRestore } from '../engine.js';
import type { RestoredTarget } from '../restored-target.js';
import type { BucketManifestSection } from './manifest.js';
import { chooseSample } from './object-index.js';
import { readIndex, verifiedChecks, verifyAll, type ObjectReader } from './verify.js';

type Options = (DrillOptions | RestoreOptions) & { identity?: string; identityPassphrase?: string; passphrase?: string };

/** The store and keys a drill or restore reads objects with; the manifest's scheme says how they are encrypted. */
async function objectReader(options: Options, name: string, context: RunContext, encrypted: { scheme: 'openpgp' | 'age' | 'none' }): Promise<ObjectReader> {
  const store = await openStore(options, context);
  const keys = encrypted.scheme === 'none' ? undefined : await loadDecryptionKeys(options);
  return { store, name, keys, scheme: encrypted.scheme === 'age' ? 'age' : 'openpgp', context };
}

/**
 * The drill's `restore` phase for a bucket backup: every object of the index (or `bucket-sample`
 * of them) fetched, its stored bytes checked, decrypted into a throwaway folder and checked
 * again (size, SHA-256). A mismatch fails naming the object's key.
 */
export async function drillBucket(backup: DecryptedBackup<BucketManifestSection>, options: DrillOptions, context: RunContext): Promise<RestoredTarget> {
  const entries = await readIndex(backup.payloadPath);
  const chosen = chooseSample(entries, options.bucketSample);
  const reader = await objectReader(options, backup.name, context, { scheme: backup.section.objectEncryption });
  const folder = await privateWorkDir(context, 'lifeboat-drill-');
  try {
    const verified = await verifyAll(reader, chosen, folder, options.bucketConcurrency, async (_entry, path) => rm(path, { force: true }));
    const total = { objects: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) };
    const sampled = chosen.length < entries.length;
    context.reporter.info(`Verified ${verified.objects} of ${total.objects} objects (${verified.bytes} bytes) of ${backup.section.location}.`);
    return {
      description: `throwaway folder: ${verified.objects} of ${total.objects} objects of ${backup.section.location} fetched, decrypted and checked`,
      versions: {},
      notes: sampled ? [`Sampled ${chosen.length} of ${entries.length} objects (\`bucket-sample\`), the largest among them.`] : [],
      checks: verifiedChecks(verified, total, sampled),
      endpoint: { path: folder, env: {} },
      cleanup: async () => removePrivateTempDir(folder),
    };
  } catch (error) {
    await removePrivateTempDir(folder);
    throw error;
  }
}

/**
 * `lifeboat restore --target-bucket`: refuses a prefix that holds any object, then writes
 * every object back under its key, each checked (size, SHA-256) before it is uploaded.
 */
export async function prepareBucketRestore(options: RestoreOptions, context: RunContext): Promise<PreparedRestore<BucketManifestSection>> {
  // Loaded only here: the AWS SDK takes long to import and most runs never need it.
  const { openBucket } = await import('./bucket-client.js');
  const target = openBucket(options.targetBucket!, 'target-bucket', options, context);
  if (!(await target.isEmpty())) {
    target.close();
    throw new RestoreTargetError(`${target.location} already holds objects; a backup is never mixed into existing data.`, 'Restore into an empty prefix (e.g. a new one), then move the objects where they belong.');
  }
  let restored = { objects: 0, bytes: 0 };
  let total = 0;
  return {
    description: target.location,
    async restore(backup) {
      const entries = await readIndex(backup.payloadPath);
      total = entries.length;
      const reader = await objectReader(options, backup.name, context, { scheme: backup.section.objectEncryption });
      const folder = await privateWorkDir(context, 'lifeboat-restore-');
      try {
        restored = await verifyAll(reader, entries, folder, options.bucketConcurrency, async (entry, path) => {
          try {
            await target.put(`${target.root}${entry.key}`, createReadStream(path), entry.size);
          } finally {
            await rm(path, { force: true });
          }
        });
      } finally {
        await removePrivateTempDir(folder);
        target.close();
      }
      return { checks: [], notes: [`Restored ${restored.objects} objects (${restored.bytes} bytes) into ${target.location}.`] };
    },
    async checks() {
      if (restored.objects !== total) throw new VerificationError(`Only ${restored.objects} of ${total} objects were restored.`);
      return [{ name: 'bucket objects restored', kind: 'bucket-objects', ok: true, expected: total, actual: restored.objects }];
    },
  };
}
