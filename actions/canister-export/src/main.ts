import { canisterExportOperation, canisterExport, runAction, withNotifications } from '@lifeboat/core';

/** The schema this action's inputs and outputs come from. */
export const operation = canisterExportOperation;

/** Runs the canister-export action: inputs → core canister export → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, withNotifications('canister-export', (options, context) => canisterExport(options, context)), env);
}
