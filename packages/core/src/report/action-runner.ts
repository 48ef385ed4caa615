import * as core from '@actions/core';
import { createContext, type RunContext } from '../context.js';
import { actionInputSource } from '../options/sources.js';
import { resolveOptions, type OperationDef, type OptionDefs, type ResolvedOptions } from '../options/define.js';
import { ActionsReporter } from './actions-reporter.js';
import { describeError, describeErrorVerbose } from './errors.js';
import type { OperationOutcome } from './outcome.js';
import { redact } from './secrets.js';
import { withStackStore } from '../stacks/stack-store.js';

/**
 * The whole of an action's `main.ts`: read inputs through the operation's schema, run one
 * core function, publish its outputs, and turn any failure into one clear line and exit 1.
 */
export async function runAction<D extends OptionDefs>(
  operation: OperationDef<D>,
  execute: (options: ResolvedOptions<D>, context: RunContext) => Promise<OperationOutcome>,
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const reporter = new ActionsReporter();
  try {
    // With a `stack` input, an empty `store` is the stack file's, as on the CLI.
    const options = resolveOptions(operation, withStackStore(actionInputSource(env), env), (value) => reporter.secret(value));
    const outcome = await execute(options, createContext(reporter, 'action', env));
    for (const [name, value] of Object.entries(outcome.outputs)) {
      if (value !== undefined) reporter.output(name, value);
    }
    if (!outcome.ok) core.setFailed(redact(outcome.failure ?? `${operation.command} failed.`));
  } catch (error) {
    // The stack helps only when the operator turned on step debug logging.
    if (core.isDebug()) reporter.debug(describeErrorVerbose(error));
    core.setFailed(describeError(error));
  }
}
