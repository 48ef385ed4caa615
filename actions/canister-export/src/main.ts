import { operations } from '@lifeboat/core';
import { runAction } from '@lifeboat/core/action';

/** The schema this action's inputs and outputs come from. */
export const operation = operations.canisterExport;

/** Runs the canister-export action: inputs → core canister export → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, operation.run, env);
}
