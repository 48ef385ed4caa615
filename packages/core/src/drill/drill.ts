import type { RunContext } from '../context.js';
import type { DrillOptions } from '../options/drill.js';
import { UnsupportedError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';

/** Fetches, verifies, decrypts and restores a backup, runs checks and writes evidence. */
export async function drill(_options: DrillOptions, _context: RunContext): Promise<OperationOutcome> {
  throw new UnsupportedError('The drill operation is not available in this build yet.');
}
