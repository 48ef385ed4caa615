import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LifeboatError } from '../report/errors.js';
import { redact } from '../report/secrets.js';
import { sendSignal } from './cleanup-guard.js';

/** How a child program ended, with the end of what it wrote to stderr. */
export interface ToolExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines of stderr, redacted. */
  readonly stderrTail: string;
  /** Set when the program could not be started at all. */
  readonly spawnError?: Error;
}

/** A started client program. */
export interface ToolRun {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout when requested with `stdout: 'pipe'`. */
  readonly stdout: Readable | null;
  /** stdin when requested with `stdin: 'pipe'`. */
  readonly stdin: Writable | null;
  /** Settles when the program has exited and its output pipes are closed; never rejects. */
  readonly exit: Promise<ToolExit>;
  /** Sends a signal (TERM, then KILL after a grace period); safe after exit. */
  kill(): void;
}

export interface SpawnToolOptions {
  readonly env: Record<string, string>;
  /** `pipe`, `ignore`, another program's stdin pipe or a file's descriptor, so the bytes pass without this process. */
  readonly stdout?: 'pipe' | 'ignore' | Writable | number;
  readonly cwd?: string;
  /** Called with every stderr line (redacted), e.g. to collect pg_restore's errors. */
  readonly onStderrLine?: (line: string) => void;
  /** Lines of stderr kept for messages. */
  readonly tailLines?: number;
  /** Kills the program when aborted (at once if already aborted); callers check the signal after exit. */
  readonly signal?: AbortSignal;
  /** `pipe` to feed the program (its `stdin` is then returned); closed by default. */
  readonly stdin?: 'pipe' | 'ignore';
  /** The error for a program that is not installed; a generic ToolMissingError by default. */
  readonly missing?: (path: string) => Error;
  /** Runs the program as another user (a server that refuses root). */
  readonly uid?: number;
  readonly gid?: number;
  /**
   * Starts the program as the leader of a process group of its own, and `kill` signals the
   * whole group: a service started through `sh -c`, or one that forks workers, stops whole.
   */
  readonly processGroup?: boolean;
  /** How long `kill` waits after SIGTERM before SIGKILL; default 5 s. */
  readonly killGraceMs?: number;
}

/** Starts a program (stdin closed unless asked for); its exit status and stderr are always collected. */
export function spawnTool(path: string, args: readonly string[], options: SpawnToolOptions): ToolRun {
  const name = path.split(/[\\/]/).pop() ?? path;
  const child = spawn(path, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    windowsHide: true,
    ...(options.processGroup && { detached: true }),
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  });
  const keep = options.tailLines ?? 12;
  const tail: string[] = [];
  let partial = '';
  const take = (line: string) => {
    const clean = redact(line.replace(/\r$/, ''));
    if (!clean.trim()) return;
    options.onStderrLine?.(clean);
    tail.push(clean.length > 2000 ? `${clean.slice(0, 2000)}...` : clean);
    if (tail.length > keep) tail.shift();
  };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    // A runaway line without newlines must not grow without bound.
    if (partial.length > 64 * 1024) {
      take(partial);
      partial = '';
    }
    for (const line of lines) take(line);
  });
  let spawnError: Error | undefined;
  let exited = false;
  const exit = new Promise<ToolExit>((resolve) => {
    child.once('error', (error) => {
      spawnError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? (options.missing ?? missingTool)(path) : error;
      // 'close' does not follow a failed spawn.
      if (child.pid === undefined) {
        exited = true;
        resolve({ exitCode: null, signal: null, stderrTail: '', spawnError });
      }
    });
    child.once('close', (exitCode, signal) => {
      exited = true;
      if (partial) take(partial);
      resolve({ exitCode, signal, stderrTail: tail.join('\n'), ...(spawnError ? { spawnError } : {}) });
    });
  });
  let killTimer: NodeJS.Timeout | undefined;
  const group = options.processGroup === true;
  // A group lives on while any member holds the output pipes, after its leader has exited.
  const running = () => (group ? !exited : !exited && child.exitCode === null && child.signalCode === null);
  const send = (name: NodeJS.Signals) => (group && child.pid !== undefined ? sendSignal(-child.pid, name) : child.kill(name));
  const kill = () => {
    if (!running()) return;
    send('SIGTERM');
    killTimer ??= setTimeout(() => {
      if (running()) send('SIGKILL');
    }, options.killGraceMs ?? 5000);
    killTimer.unref();
  };
  const { signal } = options;
  if (signal?.aborted) kill();
  else signal?.addEventListener('abort', kill, { once: true });
  void exit.then(() => {
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', kill);
  });
  return { name, child, stdout: child.stdout, stdin: child.stdin, exit, kill };
}

/** How a program run to its end went, with what it printed on stdout. */
export interface ToolOutput extends ToolExit {
  /** stdout as text (at most `maxStdout` bytes are kept). */
  readonly stdout: string;
  /** True when it was stopped because it ran longer than `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Runs a program to its end and collects its stdout (e.g. a `--version` probe, a `docker` call). */
export async function runTool(
  path: string,
  args: readonly string[],
  options: Omit<SpawnToolOptions, 'stdout' | 'stdin'> & { readonly timeoutMs?: number; readonly maxStdout?: number },
): Promise<ToolOutput> {
  const timeout = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const run = spawnTool(path, args, { ...options, signal, stdout: 'pipe' });
  const limit = options.maxStdout ?? 4 * 1024 * 1024;
  let stdout = '';
  run.stdout!.setEncoding('utf8');
  run.stdout!.on('data', (chunk: string) => {
    if (stdout.length < limit) stdout += chunk.slice(0, limit - stdout.length);
  });
  const exit = await run.exit;
  return { ...exit, stdout, timedOut: timeout?.aborted === true };
}

/** A program Lifeboat needs is not installed. */
export class ToolMissingError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('tool-missing', message, fix);
  }
}

function missingTool(path: string): ToolMissingError {
  const name = path.split(/[\\/]/).pop() ?? path;
  return new ToolMissingError(`${name} was not found (${path.includes('/') ? path : 'not on PATH'}).`, `Install ${name}, or put it on PATH.`);
}
