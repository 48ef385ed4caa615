import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { guardCleanup, type CleanupGuard } from './cleanup-guard.js';

/**
 * Private temp folders that hold plaintext (a decrypted payload, a directory dump, an unpacked
 * restore) or an upload's spooled parts. Each is named after the process that owns it (`lifeboat-drill-p<pid>-XXXXXX`), is
 * removed when done, synchronously if the process exits first, and by a watchdog if it is
 * killed (SIGKILL included); a folder whose owner is gone is swept by the next run.
 */
export const PRIVATE_TEMP_PREFIXES = ['lifeboat-drill-', 'lifeboat-restore-', 'lifeboat-dump-', 'lifeboat-upload-'] as const;

/** One of the prefixes above. */
export type PrivateTempPrefix = (typeof PRIVATE_TEMP_PREFIXES)[number];

const OWNED = /^(lifeboat-(?:drill|restore|dump|upload)-)p(\d+)-[A-Za-z0-9]+$/;

const tracked = new Map<string, CleanupGuard>();
let hooked = false;

/** Makes a private (0700) temp folder under `base`, guarded until `removePrivateTempDir`. */
export async function createPrivateTempDir(base: string, prefix: PrivateTempPrefix): Promise<string> {
  const dir = await mkdtemp(join(base, `${prefix}p${process.pid}-`));
  tracked.set(dir, guardCleanup({ dirs: [dir] }));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const path of tracked.keys()) rmSync(path, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Removes a private temp folder and stands its watchdog down. */
export async function removePrivateTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tracked.get(dir)?.release();
  tracked.delete(dir);
}

/**
 * Removes private temp folders under `base` whose owning process is gone (a run killed before
 * its watchdog could act); folders of live processes and of other users are left alone.
 * Returns the folders removed.
 */
export async function sweepStaleTempDirs(base: string, isAlive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const entries = await readdir(base).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = ownerOf(entry);
    if (pid === undefined || pid === process.pid || isAlive(pid)) continue;
    const path = join(base, entry);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || (process.getuid && info.uid !== process.getuid())) continue;
    try {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Not ours to remove after all; the next run tries again.
    }
  }
  return removed;
}

/** The owning process of a private temp folder's name, or undefined for any other name. */
export function ownerOf(name: string): number | undefined {
  const match = OWNED.exec(name);
  return match ? Number(match[2]) : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
