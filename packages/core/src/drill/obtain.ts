import { join } from 'node:path';
import { MANIFEST_SIGNATURE_FILE, backupObjectKey } from '../catalog/layout.js';
import { payloadOf } from '../catalog/manifest.js';
import { readSmallObject } from '../catalog/store-reads.js';
import { decryptBytes, decryptToFile, verifyDetached, type DecryptionKeys } from '../crypto/index.js';
import { createReadStream } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import type { RunContext } from '../context.js';
import type { Store } from '../storage/store.js';
import { download, verifyDownloaded, type Downloaded } from './fetch.js';
import { VerificationError } from './errors.js';
import type { PhaseRecorder } from './phases.js';
import type { SelectedBackup } from './select.js';

/** The decrypted backup on the runner's disk, ready to restore or inspect. */
export interface ObtainedBackup {
  /** Plaintext payload file (a dump archive, a globals script, an export archive). */
  readonly payloadPath: string;
  /** Decrypted stats (tables, row counts, plaintext SHA-256), when the backup has them. */
  readonly stats?: Record<string, unknown>;
  /** True when the manifest signature was checked and valid. */
  readonly signatureVerified: boolean;
  readonly signedBy?: string;
}

/**
 * The `download`, `verify` and `decrypt` phases shared by drill and restore: fetch the stored
 * objects, check size and SHA-256 (and the manifest signature when a key is given) before
 * decrypting, then decrypt to files used only once OpenPGP's integrity check passed.
 */
export async function obtainBackup(
  store: Store,
  selected: SelectedBackup,
  keys: DecryptionKeys | undefined,
  signingPublicKey: string | undefined,
  workDir: string,
  phases: PhaseRecorder,
  context: RunContext,
): Promise<ObtainedBackup> {
  const { manifest, name } = selected;
  const payload = payloadOf(manifest);
  const statsFile = manifest.objects.find((o) => o.role === 'stats');
  const encrypted = manifest.encryption.scheme !== 'none';

  const fetched = await phases.run('download', async () => {
    const files: Downloaded[] = [await download(store, name, manifest.id, payload, join(workDir, 'stored-payload'), context.signal)];
    if (statsFile) files.push(await download(store, name, manifest.id, statsFile, join(workDir, 'stored-stats'), context.signal));
    return files;
  });

  const signature = await phases.run('verify', async () => {
    for (const file of fetched) verifyDownloaded(file);
    if (!signingPublicKey) return undefined;
    const key = backupObjectKey(name, manifest.id, MANIFEST_SIGNATURE_FILE);
    const head = await store.head(key);
    if (!head) {
      throw new VerificationError(`Backup ${manifest.id} has no manifest signature (${MANIFEST_SIGNATURE_FILE}), but \`signing-public-key\` is set.`, 'Use a signed backup, or leave `signing-public-key` empty to skip the check.');
    }
    return verifyDetached(Buffer.from(selected.manifestText), await readSmallObject(store, key), signingPublicKey);
  });

  const decrypted = await phases.run('decrypt', async () => {
    const payloadPath = join(workDir, 'payload');
    let stats: Record<string, unknown> | undefined;
    if (!encrypted) {
      await rename(fetched[0]!.path, payloadPath);
      if (fetched[1]) stats = JSON.parse((await readFile(fetched[1].path)).toString('utf8')) as Record<string, unknown>;
      return { payloadPath, stats, sha256: fetched[0]!.sha256 };
    }
    if (!keys) {
      throw new VerificationError(
        `Backup ${manifest.id} is encrypted, but no \`identity\` or \`passphrase\` was given.`,
        'Set `identity` (the armored private key, from a secret) and `identity-passphrase`, or `passphrase` for passphrase-encrypted backups.',
      );
    }
    const result = await decryptToFile(createReadStream(fetched[0]!.path), keys, payloadPath, { signal: context.signal });
    if (fetched[1]) {
      stats = JSON.parse(Buffer.from(await decryptBytes(await readFile(fetched[1]!.path), keys)).toString('utf8')) as Record<string, unknown>;
    }
    return { payloadPath, stats, sha256: result.sha256 };
  });

  // The stats were written from the same stream: a mismatch means the payload is not the one dumped.
  const recorded = decrypted.stats?.plaintextSha256;
  if (typeof recorded === 'string' && recorded !== decrypted.sha256) {
    throw new VerificationError(`The decrypted payload's SHA-256 ${decrypted.sha256} differs from the one recorded at backup time (${recorded}).`);
  }
  return { payloadPath: decrypted.payloadPath, stats: decrypted.stats, signatureVerified: signature !== undefined, signedBy: signature?.fingerprint };
}
