import { backupOperation, backup, runAction, withNotifications } from '@lifeboat/core';

/** The schema this action's inputs and outputs come from. */
export const operation = backupOperation;

/** Runs the backup action: inputs → core backup → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, withNotifications('backup', (options, context) => backup(options, context)), env);
}
