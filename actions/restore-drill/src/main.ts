import { drillOperation, drill, runAction, withNotifications } from '@lifeboat/core';

/** The schema this action's inputs and outputs come from. */
export const operation = drillOperation;

/** Runs the restore-drill action: inputs → core drill → evidence, outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, withNotifications('drill', (options, context) => drill(options, context)), env);
}
