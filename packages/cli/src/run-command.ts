import {
  ConsoleReporter,
  cliSource,
  createContext,
  describeError,
  describeErrorVerbose,
  redact,
  resolveOptions,
  secretFlagWarnings,
  type OperationDef,
  type OperationOutcome,
  type OptionDefs,
  type ResolvedOptions,
  type RunContext,
  withStackStore,
} from '@lifeboat/core';

/** Flags every command takes besides its operation's options. */
export interface GlobalFlags {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** Where the CLI writes: stdout for `--json` and results, stderr for the log. */
export interface Terminal {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processTerminal: Terminal = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs one operation for the CLI: resolve flags and env through the schema, execute, print
 * the summary (or one JSON document with `--json`), and return the exit code.
 */
export async function runCommand<D extends OptionDefs>(
  operation: OperationDef<D>,
  execute: (options: ResolvedOptions<D>, context: RunContext) => Promise<OperationOutcome>,
  flags: Record<string, string | undefined>,
  globals: GlobalFlags,
  terminal: Terminal = processTerminal,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const reporter = new ConsoleReporter({
    verbose: globals.verbose,
    quiet: globals.quiet,
    write: (line) => terminal.stderr(`${line}\n`),
  });
  for (const warning of secretFlagWarnings(operation, flags)) reporter.warning(warning);
  try {
    const options = resolveOptions(operation, withStackStore(cliSource(flags, env), env), (value) => reporter.secret(value));
    const outcome = await execute(options, createContext(reporter, 'cli', env));
    if (globals.json) {
      const document = { ok: outcome.ok, failure: outcome.failure, outputs: outcome.outputs, data: outcome.data };
      terminal.stdout(`${redact(JSON.stringify(document, null, 2))}\n`);
    } else {
      for (const markdown of reporter.summaries) terminal.stdout(`${markdown.trimEnd()}\n`);
    }
    if (!outcome.ok) {
      terminal.stderr(`error: ${redact(outcome.failure ?? `${operation.command} failed.`)}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    reporter.debug(describeErrorVerbose(error));
    const message = describeError(error);
    if (globals.json) terminal.stdout(`${JSON.stringify({ ok: false, failure: message }, null, 2)}\n`);
    terminal.stderr(`error: ${message}\n`);
    return 1;
  }
}
