import { operations } from '@lifeboat/core';
import { runAction } from '@lifeboat/core/action';

/** The schema this action's inputs and outputs come from. */
export const operation = operations.backup;

/** Runs the backup action: inputs → core backup → outputs and job summary. */
export function run(env: Record<string, string | undefined> = process.env): Promise<void> {
  return runAction(operation, operation.run, env);
}
