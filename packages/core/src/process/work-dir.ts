import type { RunContext } from '../context.js';
import { createPrivateTempDir, sweepStaleTempDirs, type PrivateTempPrefix } from './private-temp.js';

/**
 * The private folder a drill or restore decrypts into, guarded against this process being
 * killed. First sweeps folders that earlier runs, killed before their watchdog acted, left
 * behind: they may hold decrypted backups.
 */
export async function privateWorkDir(context: RunContext, prefix: PrivateTempPrefix): Promise<string> {
  await sweepLeftovers(context);
  return createPrivateTempDir(context.tempDir, prefix);
}

/** Removes (and reports) plaintext temp folders of earlier runs whose process is gone. */
export async function sweepLeftovers(context: RunContext): Promise<void> {
  for (const dir of await sweepStaleTempDirs(context.tempDir)) {
    context.reporter.warning(`Removed ${dir}: an earlier Lifeboat run that was killed left it behind, possibly holding plaintext.`);
  }
}
