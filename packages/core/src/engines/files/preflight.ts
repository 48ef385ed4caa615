import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Checks } from '../../preflight/checks.js';
import { archivePaths } from './paths.js';
import { readFailure, walk } from './walk.js';

/**
 * The `source` row of a files backup's preflight: every listed path exists and every file
 * and folder under it can be read. Reads no file contents (the secret scan runs with the backup).
 */
export async function checkFilesReadable(paths: readonly string[], root: string | undefined, checks: Checks): Promise<void> {
  await checks.run('source', async () => {
    const names = archivePaths(paths);
    const base = resolve(root ?? '.');
    let files = 0;
    let bytes = 0;
    for await (const entry of walk(base, names)) {
      if (entry.type !== 'file') continue;
      await access(entry.path, constants.R_OK).catch((error: unknown) => {
        throw readFailure(entry.name, error);
      });
      files++;
      bytes += entry.stats.size;
    }
    return { value: undefined, detail: `${files} files (${bytes} bytes) under ${names.join(', ')} can be read.` };
  });
}
