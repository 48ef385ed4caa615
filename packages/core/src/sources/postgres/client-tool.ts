import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { redact } from '../../report/secrets.js';
import { parseClientVersion, type PgVersion } from '../../toolchain/version.js';
import { PostgresToolMissingError } from './errors.js';

/** Path of a client program: inside `binDir` when given, else looked up on PATH. */
export function toolPath(name: string, binDir?: string): string {
  return binDir ? join(binDir, name) : name;
}

const versions = new Map<string, Promise<PgVersion>>();

/** The version a client program reports (`pg_dump --version`), cached per path. */
export function clientVersion(path: string, env: Record<string, string | undefined> = process.env): Promise<PgVersion> {
  let known = versions.get(path);
  if (!known) {
    known = new Promise<PgVersion>((resolve, reject) => {
      execFile(path, ['--version'], { env: env as NodeJS.ProcessEnv, timeout: 30_000 }, (error, stdout) => {
        if (error) {
          reject(
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? missingTool(path)
              : new PostgresToolMissingError(`${path} --version failed: ${error.message}.`, 'Check the PostgreSQL client installation.'),
          );
          return;
        }
        const version = parseClientVersion(stdout);
        if (version) resolve(version);
        else reject(new PostgresToolMissingError(`${path} is not a PostgreSQL client program (it printed '${stdout.trim().slice(0, 80)}').`));
      });
    });
    known.catch(() => versions.delete(path));
    versions.set(path, known);
  }
  return known;
}

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
  /** Settles when the program has exited and its output pipes are closed; never rejects. */
  readonly exit: Promise<ToolExit>;
  /** Sends a signal (TERM, then KILL after a grace period); safe after exit. */
  kill(): void;
}

export interface SpawnToolOptions {
  readonly env: Record<string, string>;
  readonly stdout?: 'pipe' | 'ignore';
  readonly cwd?: string;
  /** Called with every stderr line (redacted), e.g. to collect pg_restore's errors. */
  readonly onStderrLine?: (line: string) => void;
  /** Lines of stderr kept for messages. */
  readonly tailLines?: number;
  /** Kills the program when aborted (at once if already aborted); callers check the signal after exit. */
  readonly signal?: AbortSignal;
}

/** Starts a client program with stdin closed; its exit status and stderr are always collected. */
export function spawnTool(path: string, args: readonly string[], options: SpawnToolOptions): ToolRun {
  const name = path.split(/[\\/]/).pop() ?? path;
  const child = spawn(path, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'],
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
      spawnError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? missingTool(path) : error;
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
  const kill = () => {
    if (exited || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 5000);
    killTimer.unref();
  };
  const { signal } = options;
  if (signal?.aborted) kill();
  else signal?.addEventListener('abort', kill, { once: true });
  void exit.then(() => {
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', kill);
  });
  return { name, child, stdout: child.stdout, exit, kill };
}

function missingTool(path: string): PostgresToolMissingError {
  const name = path.split(/[\\/]/).pop() ?? path;
  return new PostgresToolMissingError(
    `${name} was not found (${path.includes('/') ? path : 'not on PATH'}).`,
    'Install the PostgreSQL client tools (e.g. postgresql-client) or set `postgres-client-version` so Lifeboat obtains a matching client.',
  );
}
