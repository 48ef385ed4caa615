import type { RunContext } from '../../context.js';
import type { CanisterExportOptions } from '../../options/canister-export.js';
import { UnsupportedError } from '../../report/errors.js';
import type { OperationOutcome } from '../../report/outcome.js';

/** Exports a hub canister through the backup pipeline. */
export async function canisterExport(_options: CanisterExportOptions, _context: RunContext): Promise<OperationOutcome> {
  throw new UnsupportedError('The canister export is not available in this build yet.');
}
