import { Command, Option } from 'commander';
import {
  backup,
  backupOperation,
  camelName,
  canisterExport,
  canisterExportOperation,
  demo,
  demoOperation,
  drill,
  drillOperation,
  envName,
  gateOperation,
  gateWithFreshBackup,
  keygen,
  keygenOperation,
  listCatalog,
  listOperation,
  onSurface,
  preflight,
  preflightOperation,
  prune,
  pruneOperation,
  restore,
  restoreOperation,
  verify,
  verifyOperation,
  type OperationDef,
  type OperationOutcome,
  type OptionDefs,
  type ResolvedOptions,
  type RunContext,
} from '@lifeboat/core';
import { processTerminal, runCommand, type GlobalFlags, type Terminal } from './run-command.js';
import { version } from './version.js';

/** Adds a subcommand whose flags are derived from the operation's schema. */
export function addOperationCommand<D extends OptionDefs>(
  program: Command,
  operation: OperationDef<D>,
  execute: (options: ResolvedOptions<D>, context: RunContext) => Promise<OperationOutcome>,
  terminal: Terminal,
  setExitCode: (code: number) => void,
): Command {
  const command = program.command(operation.command).description(operation.summary);
  for (const [name, def] of Object.entries(operation.options)) {
    if (!onSurface(def, 'cli')) continue;
    const flag = def.kind === 'boolean' ? `--${name} [bool]` : `--${name} <value>`;
    const help = `${def.description} [env ${envName(name)}]`;
    const option = new Option(flag, help);
    if (def.default !== undefined) option.default(undefined, def.default);
    if (def.choices) option.choices([...def.choices]);
    command.addOption(option);
  }
  addGlobalFlags(command);
  command.action(async (flags: Record<string, string | boolean | undefined>) => {
    const values: Record<string, string | undefined> = {};
    for (const name of Object.keys(operation.options)) {
      const value = flags[camelName(name)];
      values[name] = value === true ? 'true' : value === false ? 'false' : value;
    }
    const globals: GlobalFlags = { json: !!flags.json, verbose: !!flags.verbose, quiet: !!flags.quiet };
    setExitCode(await runCommand(operation, execute, values, globals, terminal));
  });
  return command;
}

/** `--json`, `--verbose`, `--quiet`, the flags every command takes. */
export function addGlobalFlags(command: Command): Command {
  return command
    .option('--json', 'print the result as one JSON document on stdout')
    .option('-v, --verbose', 'log debug detail')
    .option('-q, --quiet', 'log only warnings and errors');
}

/** The `lifeboat` program with every subcommand. */
export function createProgram(
  terminal: Terminal = processTerminal,
  setExitCode: (code: number) => void = (code) => {
    process.exitCode = code;
  },
): Command {
  const program = new Command('lifeboat')
    .description('Encrypted logical backups on a schedule, and restore drills that prove they restore.')
    .version(version)
    .showHelpAfterError()
    .configureOutput({ writeOut: terminal.stdout, writeErr: terminal.stderr })
    .exitOverride();
  addOperationCommand(program, backupOperation, (o, c) => backup(o, c), terminal, setExitCode);
  addOperationCommand(program, preflightOperation, preflight, terminal, setExitCode);
  addOperationCommand(program, drillOperation, (o, c) => drill(o, c), terminal, setExitCode);
  addOperationCommand(program, restoreOperation, restore, terminal, setExitCode);
  addOperationCommand(program, listOperation, listCatalog, terminal, setExitCode);
  addOperationCommand(program, verifyOperation, verify, terminal, setExitCode);
  addOperationCommand(program, pruneOperation, prune, terminal, setExitCode);
  addOperationCommand(program, gateOperation, gateWithFreshBackup, terminal, setExitCode);
  addOperationCommand(program, keygenOperation, keygen, terminal, setExitCode);
  addOperationCommand(program, canisterExportOperation, (o, c) => canisterExport(o, c), terminal, setExitCode);
  addOperationCommand(program, demoOperation, demo, terminal, setExitCode);
  return program;
}
