import type { RunContext } from '../context.js';
import type { GateOptions } from '../options/gate.js';
import { UnsupportedError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';

/** Decides whether a deploy may proceed: fresh backup, recent passing drill. */
export async function gate(_options: GateOptions, _context: RunContext): Promise<OperationOutcome> {
  throw new UnsupportedError('The gate operation is not available in this build yet.');
}
