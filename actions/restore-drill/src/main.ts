import { operations } from '@lifeboat/core';
import { runAction } from '@lifeboat/core/action';

/** The schema this action's inputs and outputs come from. */
export const operation = operations.drill;

/** Runs the restore-drill action: inputs → core drill → evidence, outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, operation.run, env);
}
