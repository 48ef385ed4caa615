import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../../context.js';
import { createPrivateTempDir, removePrivateTempDir } from '../../process/private-temp.js';
import type { RestoredTarget } from '../restored-target.js';
import { sumsCheck } from './checks.js';
import { FilesArchiveError, FilesTargetError } from './errors.js';
import { describeDamage, extractArchive, extractionIntact, type Extracted } from './extract.js';

/** A files backup extracted into a folder and checked against its SHA256SUMS. */
export interface FilesRestoredTarget extends RestoredTarget {
  readonly dir: string;
  readonly extracted: Extracted;
}

function summary(extracted: Extracted): string {
  return `${extracted.files.size} files (${extracted.bytes} bytes), ${extracted.directories} folders, ${extracted.symlinks} links`;
}

/**
 * Extracts a decrypted files backup into a private throwaway folder (removed after the
 * drill, or by the watchdog if the run is killed) and checks every SHA-256; a file whose
 * bytes differ fails the drill naming it.
 */
export async function restoreForDrill(payloadPath: string, context: RunContext): Promise<FilesRestoredTarget> {
  const dir = await createPrivateTempDir(context.tempDir, 'lifeboat-drill-');
  try {
    const extracted = await extractArchive(payloadPath, dir, { keepModes: false });
    if (!extractionIntact(extracted)) throw new FilesArchiveError(`The restored files do not match the archive's SHA256SUMS: ${describeDamage(extracted)}.`);
    return {
      dir,
      extracted,
      description: `throwaway folder: ${summary(extracted)}`,
      versions: {},
      notes: [`Extracted ${summary(extracted)}; every file's SHA-256 matches SHA256SUMS.`],
      checks: [sumsCheck(extracted)],
      endpoint: { path: dir, env: { LIFEBOAT_FILES_DIR: dir } },
      async cleanup(keep) {
        if (keep) context.reporter.info('keep-database has no effect on a files drill; its throwaway folder is removed.');
        await removePrivateTempDir(dir);
      },
    };
  } catch (error) {
    await removePrivateTempDir(dir);
    throw error;
  }
}

/** Checks, before anything is downloaded, that `target-dir` is an empty folder or does not exist yet; returns its absolute path. */
export async function assertEmptyTarget(targetDir: string): Promise<string> {
  const dir = resolve(targetDir);
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new FilesTargetError(`\`target-dir\` ${targetDir} cannot be read: ${error.message}.`, 'Give a folder this user can write to.');
  });
  if (!info) return dir;
  if (!info.isDirectory()) throw new FilesTargetError(`\`target-dir\` ${targetDir} is not a folder.`, 'Give an empty folder, or a path that does not exist yet.');
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new FilesTargetError(
      `\`target-dir\` ${targetDir} is not empty (${entries.length} entries); Lifeboat does not mix a backup into existing files.`,
      'Restore into an empty folder (or one that does not exist yet), then move the files where they belong.',
    );
  }
  return dir;
}

/**
 * A real recovery: extracts the backup into the empty `target-dir` with modes and times and
 * checks every SHA-256. When a file does not match, what was written is removed again, so a
 * damaged backup never leaves a folder that looks restored.
 */
export async function restoreInto(payloadPath: string, targetDir: string): Promise<Extracted> {
  const dir = await assertEmptyTarget(targetDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const extracted = await extractArchive(payloadPath, dir);
    if (!extractionIntact(extracted)) throw new FilesArchiveError(`The restored files do not match the archive's SHA256SUMS: ${describeDamage(extracted)}. Nothing was left in ${targetDir}.`);
    return extracted;
  } catch (error) {
    for (const entry of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, entry), { recursive: true, force: true });
    throw error;
  }
}

/** For notes and summaries: `3 files (120 bytes), 1 folders, 0 links`. */
export function describeExtracted(extracted: Extracted): string {
  return summary(extracted);
}
