import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { spawnTool, type ToolExit, type ToolRun } from '../../process/spawn-tool.js';
import { commandArgv, describeCommand, type CommandLine } from './command-line.js';
import { CommandFailedError } from './errors.js';

/** What one command run did, as the evidence records it (command redacted). */
export interface CommandRecord {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
}

/**
 * Why a finished command does not count as a success, or undefined when it does: it could
 * not start, exited non-zero, was killed by a signal, or (when output is required) wrote nothing.
 */
export function commandFailure(exit: Pick<ToolExit, 'exitCode' | 'signal' | 'spawnError'>, outputBytes: number, requireOutput: boolean): string | undefined {
  if (exit.spawnError) return `could not be started: ${exit.spawnError.message}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  if (exit.exitCode !== 0) return `exited with status ${exit.exitCode}`;
  if (requireOutput && outputBytes === 0) return 'wrote nothing to stdout';
  return undefined;
}

/** The error for a failed command: names it (redacted), says why, and quotes the end of its stderr (redacted). */
export function commandFailedError(role: string, command: CommandLine, why: string, stderrTail: string): CommandFailedError {
  const tail = stderrTail.trim() ? ` Its stderr ended with: ${stderrTail.trim().split('\n').slice(-5).join(' / ')}` : ' It wrote nothing to stderr.';
  return new CommandFailedError(
    `The ${role} \`${describeCommand(command)}\` ${why}.${tail}`,
    role === 'backup command' ? 'Run the command by hand with the same environment to see why; no manifest was written, so this backup does not count.' : 'Run the command by hand with the same environment to see why.',
  );
}

/** Starts a command with its stdout piped (for the backup stream). */
export function startCommand(command: CommandLine, env: Record<string, string>, signal: AbortSignal, cwd?: string): ToolRun {
  const { program, args } = commandArgv(command);
  return spawnTool(program, args, { env, stdout: 'pipe', signal, cwd, tailLines: 20 });
}

/** Runs a command to its end, stdin from `stdinFile` if given, and collects its stdout (at most 4 MiB). */
export async function runCommand(
  command: CommandLine,
  options: { env: Record<string, string>; signal?: AbortSignal; stdinFile?: string; cwd?: string },
): Promise<{ exit: ToolExit; stdout: string; record: CommandRecord }> {
  const started = performance.now();
  const { program, args } = commandArgv(command);
  const run = spawnTool(program, args, { env: options.env, stdout: 'pipe', stdin: options.stdinFile ? 'pipe' : 'ignore', signal: options.signal, cwd: options.cwd, tailLines: 20 });
  let stdout = '';
  const limit = 4 * 1024 * 1024;
  run.stdout!.setEncoding('utf8');
  run.stdout!.on('data', (chunk: string) => {
    if (stdout.length < limit) stdout += chunk.slice(0, limit - stdout.length);
  });
  // A command that stops reading its stdin early (EPIPE) is judged by its exit status.
  const fed = options.stdinFile && run.stdin ? pipeline(createReadStream(options.stdinFile), run.stdin).catch(() => undefined) : Promise.resolve();
  const exit = await run.exit;
  await fed;
  const record: CommandRecord = { command: describeCommand(command), exitCode: exit.exitCode, signal: exit.signal, durationMs: Math.round(performance.now() - started) };
  return { exit, stdout, record };
}
