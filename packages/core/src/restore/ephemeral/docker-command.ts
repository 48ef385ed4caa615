import { execFile } from 'node:child_process';

/** How one `docker …` call ended. */
export interface DockerCommandResult {
  /** null when the program could not be started or was killed. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `ENOENT` when docker is not installed; set when it could not be started at all. */
  readonly spawnErrorCode?: string;
}

/** What a docker call gets besides its arguments. */
export interface DockerCommandOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Runs `docker <args>`; injectable so the container logic is testable without an engine. */
export type DockerRunner = (args: readonly string[], options: DockerCommandOptions) => Promise<DockerCommandResult>;

/** The docker client found on PATH, through execFile (no shell). */
export function dockerCli(program = 'docker'): DockerRunner {
  return (args, options) =>
    new Promise((done) => {
      execFile(
        program,
        [...args],
        { env: options.env, timeout: options.timeoutMs, signal: options.signal, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          const code = (error as NodeJS.ErrnoException | null)?.code;
          done({
            exitCode: error ? (typeof code === 'number' ? code : null) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
            ...(typeof code === 'string' && code !== 'ABORT_ERR' && { spawnErrorCode: code }),
          });
        },
      );
    });
}

/** Whether docker can start containers here, and if not, why. */
export type DockerStatus =
  | { readonly available: true; readonly serverVersion: string }
  | { readonly available: false; readonly why: 'no-client' | 'no-engine'; readonly detail: string };

/** Asks the docker client for the engine's version: the cheapest call that needs a working engine. */
export async function probeDocker(run: DockerRunner, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<DockerStatus> {
  const result = await run(['version', '--format', '{{.Server.Version}}'], { env, timeoutMs: 30_000, signal });
  if (result.spawnErrorCode === 'ENOENT') return { available: false, why: 'no-client', detail: 'docker is not installed (not on PATH)' };
  if (result.exitCode === 0 && result.stdout.trim()) return { available: true, serverVersion: result.stdout.trim() };
  const detail = lastLines(result.stderr || result.stdout, 3) || `docker version exited ${result.exitCode ?? result.spawnErrorCode ?? 'abnormally'}`;
  return { available: false, why: 'no-engine', detail };
}

/** The last non-empty lines of a tool's output, joined on one line. */
export function lastLines(text: string, count: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' / ');
}
