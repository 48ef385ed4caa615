import { gateOperation, gateWithFreshBackup, runAction, withNotifications } from '@lifeboat/core';

/** The schema this action's inputs and outputs come from. */
export const operation = gateOperation;

/** Runs the backup-gate action: inputs → core gate verdict → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, withNotifications('gate', gateWithFreshBackup), env);
}
