import type { RunContext } from '../context.js';
import type { BackupOptions } from '../options/backup.js';
import { UnsupportedError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';

/** Takes one backup: source → compress → encrypt → hash → store, manifest last. */
export async function backup(_options: BackupOptions, _context: RunContext): Promise<OperationOutcome> {
  throw new UnsupportedError('The backup operation is not available in this build yet.');
}
