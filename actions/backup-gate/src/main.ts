import { operations } from '@lifeboat/core';
import { runAction } from '@lifeboat/core/action';

/** The schema this action's inputs and outputs come from. */
export const operation = operations.gate;

/** Runs the backup-gate action: inputs → core gate verdict → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, operation.run, env);
}
