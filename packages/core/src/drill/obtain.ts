import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { payloadOf } from '../catalog/manifest.js';
import { decryptBytes, decryptFileToFile, loadDecryptionKeys, type DecryptionKeys, type DecryptScheme } from '../crypto/index.js';
import type { RunContext } from '../context.js';
import { engineSection } from '../engines/registry.js';
import { decompressToFile, type ZstdSettings, type ZstdToFile } from '../process/zstd.js';
import type { Store } from '../storage/store.js';
import { authenticateBackup, type AuthenticationSettings, type Authenticity } from './authenticate.js';
import {
  assertUnchanged,
  closeFetched,
  fetchObject,
  hashInPlace,
  openInPlace,
  reopenInPlace,
  readFetched,
  verifyDownloaded,
  verifyFetched,
  verifyOpenedSize,
  type Fetched,
  type InPlace,
} from './fetch.js';
import { VerificationError } from './errors.js';
import type { PhaseRecorder } from './phases.js';
import type { SelectedBackup } from './select.js';

/** The decrypted backup on the runner's disk, ready to restore or inspect. */
export interface ObtainedBackup {
  /** Plaintext payload file (a dump archive, a globals script, an export archive), decompressed when the engine's `payloadZstd` says so. */
  readonly payloadPath: string;
  /** Decrypted stats (tables, row counts, plaintext SHA-256), when the backup has them. */
  readonly stats?: Record<string, unknown>;
  /** How far the backup's origin was proven (its manifest signature). */
  readonly authenticity: Authenticity;
  /** What decrypted the payload, for evidence: `gpg 2.2.40` or `openpgp.js`; absent when it was not encrypted. */
  readonly decryptedWith?: string;
}

/** The keys a drill or restore decrypts with; undefined when neither `identity` nor `passphrase` is set (unencrypted backups need none). */
export async function loadKeysIfAny(options: { identity?: string; identityPassphrase?: string; passphrase?: string }): Promise<DecryptionKeys | undefined> {
  if (!options.identity && !options.passphrase) return undefined;
  return loadDecryptionKeys(options);
}

/**
 * The `authenticate`, `download`, `verify` and `decrypt` phases shared by drill and restore:
 * check the manifest's signature before anything else is fetched, fetch the stored objects,
 * check size and SHA-256, and decrypt to files used only once both the stored bytes matched
 * the manifest and the cipher's integrity check passed. A payload read in place (local
 * stores) is decrypted while it is hashed; a mismatch stops the decryption and removes its
 * output, and the drill fails in `verify` as it would have before decrypting. A payload
 * whose plaintext is a zstd frame (the engine's `payloadZstd`) is decompressed as it is
 * decrypted, into a second file; the decrypted frame is removed once that is complete.
 * `onAuthenticated` hears the manifest's authenticity as soon as it is known.
 */
export async function obtainBackup(
  store: Store,
  selected: SelectedBackup,
  keys: DecryptionKeys | undefined,
  authentication: AuthenticationSettings,
  workDir: string,
  phases: PhaseRecorder,
  context: RunContext,
  onAuthenticated?: (authenticity: Authenticity) => void,
): Promise<ObtainedBackup> {
  const { manifest, name } = selected;
  const payload = payloadOf(manifest);
  const statsFile = manifest.objects.find((o) => o.role === 'stats');
  const encrypted = manifest.encryption.scheme !== 'none';
  // The manifest says how the objects were encrypted (it is authenticated before they are read).
  const scheme = manifest.encryption.scheme === 'age' ? 'age' : 'openpgp';
  // A compression this Lifeboat cannot undo is refused before anything is downloaded.
  const found = engineSection(manifest.source, `Manifest of ${name}/${manifest.id}`);
  const zstd = found?.engine.payloadZstd?.(found.section);

  // Local stores are read in place: the files stay open from hashing to decrypting (see fetchObject).
  const fetched: Fetched[] = [];
  let inPlace: InPlace | undefined;
  let twin: InPlace | undefined;
  let decryptedWith: string | undefined;
  const payloadPath = join(workDir, 'payload');
  const decompressedPath = join(workDir, 'payload-decompressed');
  /** Removes what decryption wrote, stopping a decompression still running. */
  const discard = async (decrypted?: Decrypted) => {
    await decrypted?.decompression?.discard();
    await Promise.all([rm(payloadPath, { force: true }), rm(decompressedPath, { force: true })]);
  };
  try {
    // Cheap, and it stops a forgery before its payload is downloaded.
    const authenticity = await phases.run('authenticate', () => authenticateBackup(store, selected, authentication));
    // Evidence of a drill that fails later (a wrong key, a corrupt payload) still says how far the origin was proven.
    onAuthenticated?.(authenticity);
    await phases.run('download', async () => {
      // A payload read in place is hashed in `verify`, alongside its decryption; a download is hashed as it arrives.
      inPlace = await openInPlace(store, name, manifest.id, payload);
      if (!inPlace) fetched.push(await fetchObject(store, name, manifest.id, payload, join(workDir, 'stored-payload'), context.signal));
      if (statsFile) fetched.push(await fetchObject(store, name, manifest.id, statsFile, join(workDir, 'stored-stats'), context.signal));
    });
    const storedStats = statsFile ? fetched.at(-1) : undefined;
    const decrypt = (source: Fetched | InPlace, signal: AbortSignal | undefined) =>
      decryptPayload(source, keys, payloadPath, encrypted, scheme, manifest.id, { ...context, signal }, (engine) => (decryptedWith = engine), zstd && { to: decompressedPath, settings: zstd });

    // Whichever way it is verified, nothing decrypted is used before this phase passed.
    let decryption: Promise<Decrypted> | undefined;
    const verified = await phases.run(
      'verify',
      async (): Promise<Fetched> => {
        for (const file of fetched) await verifyFetched(file);
        if (!inPlace) return fetched[0]!;
        const opened: InPlace = inPlace;
        // A truncated or extended file is refused before anything reads it.
        verifyOpenedSize(opened);
        // Decryption starts now and its output waits in the work folder: the SHA-256 pass no longer adds its own read of the file to the drill.
        const stop = new AbortController();
        const signal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
        // Its own handle: a failing decryption closes the one it reads, and this one must still be checked after.
        twin = await reopenInPlace(store, name, manifest.id, opened);
        const running = decrypt(twin, signal);
        running.catch(() => undefined); // judged in `decrypt`, after the hash
        try {
          const hashed = await hashInPlace(opened, context.signal);
          // A change while it was read says more than the different hash it causes.
          await assertUnchanged(hashed);
          verifyDownloaded(hashed);
          decryption = running;
          return hashed;
        } catch (error) {
          stop.abort(error);
          // It may have finished first: then its decompression may still be running.
          await discard(await running.catch(() => undefined));
          throw error;
        }
      },
      inPlace ? { concurrentWith: 'decrypt' } : undefined,
    );

    const decrypted = await phases.run('decrypt', async () => {
      let result: Decrypted | undefined;
      try {
        result = await (decryption ?? decrypt(verified, context.signal)).catch(async (error: unknown) => {
          // A file changed under a decryption that began with `verify` explains its failure better than the cipher does.
          if (decryption) await assertUnchanged(verified);
          throw error;
        });
        // What was decrypted must be what was verified: again now, as decryption may have ended before `verify` did.
        if (decryption) await assertUnchanged(verified);
        let stats: Record<string, unknown> | undefined;
        if (storedStats) {
          const bytes = await readFetched(storedStats);
          await assertUnchanged(storedStats);
          const text = encrypted ? Buffer.from(await decryptBytes(bytes, keys!, { scheme })) : bytes;
          stats = JSON.parse(text.toString('utf8')) as Record<string, unknown>;
        }
        // The stats were written from the same stream: a mismatch means the payload is not the one dumped.
        const recorded = stats?.plaintextSha256;
        const plaintextSha256 = result.sha256 ?? verified.sha256;
        if (typeof recorded === 'string' && recorded !== plaintextSha256) {
          throw new VerificationError(`The decrypted payload's SHA-256 ${plaintextSha256} differs from the one recorded at backup time (${recorded}).`);
        }
        if (!result.decompression) return { payloadPath, stats };
        // Its failure (a corrupt frame) is named after the checks above, which say more.
        await result.decompression.done;
        await rm(payloadPath, { force: true });
        return { payloadPath: decompressedPath, stats };
      } catch (error) {
        await discard(result);
        throw error;
      }
    });

    return { payloadPath: decrypted.payloadPath, stats: decrypted.stats, authenticity, decryptedWith };
  } finally {
    await closeFetched([...fetched, ...(inPlace ? [inPlace] : []), ...(twin ? [twin] : [])]);
  }
}

/** What decryptPayload wrote: the plaintext's SHA-256 (undefined: the stored bytes'), and the decompression still finishing. */
interface Decrypted {
  readonly sha256?: string;
  /** Fed and ended; its `done` settles once the decompressed file is complete. */
  readonly decompression?: ZstdToFile;
}

/** Where a zstd payload is decompressed to, and the errors its engine names. */
interface Decompression {
  readonly to: string;
  readonly settings: ZstdSettings;
}

/**
 * Writes the payload's plaintext to `payloadPath`: decrypted, or as stored when the backup is
 * not encrypted; either way it then confirms the stored file is still the one verified. With
 * `decompression`, the plaintext is also decompressed, fed as it is decrypted; a failed
 * decryption stops it and removes its file.
 */
async function decryptPayload(
  stored: Fetched | InPlace,
  keys: DecryptionKeys | undefined,
  payloadPath: string,
  encrypted: boolean,
  scheme: DecryptScheme,
  backupId: string,
  context: RunContext,
  used: (engine: string) => void,
  decompression: Decompression | undefined,
): Promise<Decrypted> {
  if (!encrypted) {
    const copied = await copyPayload(stored, payloadPath, context);
    if (!decompression) return copied;
    const unzstd = await decompressToFile(decompression.to, context.env, decompression.settings);
    await pipeline(createReadStream(payloadPath, { highWaterMark: 1 << 20 }), unzstd.input, { signal: context.signal }).catch(async (error: unknown) => {
      await unzstd.discard();
      throw error;
    });
    return { ...copied, decompression: unzstd };
  }
  if (!keys) {
    throw new VerificationError(
      `Backup ${backupId} is encrypted, but no \`identity\` or \`passphrase\` was given.`,
      'Set `identity` (the age identity or the armored private key, from a secret; `identity-passphrase` for a protected OpenPGP key), or `passphrase` for passphrase-encrypted backups.',
    );
  }
  const unzstd: ZstdToFile | undefined = decompression && (await decompressToFile(decompression.to, context.env, decompression.settings));
  try {
    const result = await decryptFileToFile(stored.handle, keys, payloadPath, {
      scheme,
      ...(scheme === 'age' && { label: stored.file.file }),
      signal: context.signal,
      env: context.env,
      copyTo: unzstd?.input,
      onEngine: (engine, detail) => {
        used(engine === 'gpg' ? detail.replace(/^GnuPG (\S+).*$/, 'gpg $1') : engine);
        context.reporter.debug(`Decrypting ${stored.file.file} with ${engine}${engine === 'gpg' ? ` (${detail})` : `: ${detail}`}${unzstd ? `, decompressing with ${unzstd.via === 'program' ? 'the zstd program' : "Node's zstd"} as it goes` : ''}.`);
      },
    });
    // What was decrypted must be what was verified.
    await assertUnchanged(stored);
    unzstd?.input.end();
    return { sha256: result.sha256, decompression: unzstd };
  } catch (error) {
    await unzstd?.discard();
    throw error;
  }
}

/** The payload of an unencrypted backup, moved (a download) or copied (a store's own file) to `payloadPath`. */
async function copyPayload(stored: Fetched | InPlace, payloadPath: string, context: RunContext): Promise<Decrypted> {
  if ('downloadedPath' in stored && stored.downloadedPath) {
    // Checked before the move: renaming changes the file's ctime.
    await assertUnchanged(stored);
    await rename(stored.downloadedPath, payloadPath);
  } else {
    // The store's own file is never moved: copy it, from the handle that was verified.
    await pipeline(stored.handle.createReadStream({ start: 0, autoClose: false }), createWriteStream(payloadPath, { mode: 0o600 }), { signal: context.signal });
    await assertUnchanged(stored);
  }
  // The plaintext is the stored bytes, whose SHA-256 the verify phase computed.
  return {};
}
