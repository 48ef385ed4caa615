import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Private temp folders holding plaintext (a directory dump, an unpacked restore). Removed
 * when done, and synchronously if the process exits first; only SIGKILL can leave one.
 */
const tracked = new Set<string>();
let hooked = false;

/** Remembers a temp folder so that it is removed even if the process exits early. */
export function trackTempDir(dir: string): void {
  tracked.add(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const path of tracked) rmSync(path, { recursive: true, force: true });
    });
  }
}

/** Removes a tracked temp folder and forgets it. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tracked.delete(dir);
}
