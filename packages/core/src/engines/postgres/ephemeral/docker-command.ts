import { childEnv } from '../../../process/child-env.js';
import { runTool, ToolMissingError } from '../../../process/spawn-tool.js';

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

/** Variables the docker client reads to find and reach its engine. */
const DOCKER_CLIENT_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_API_VERSION'];

/** The docker client's environment: the allow-listed basics and the engine settings, never the runner's secrets. */
export function dockerEnv(env: Record<string, string | undefined>): Record<string, string> {
  return childEnv(env, Object.fromEntries(DOCKER_CLIENT_VARS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]])));
}

/** The docker client found on PATH (no shell); it gets exactly the environment given. */
export function dockerCli(program = 'docker'): DockerRunner {
  return async (args, options) => {
    const env = Object.fromEntries(Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined));
    const result = await runTool(program, args, { env, timeoutMs: options.timeoutMs, signal: options.signal, tailLines: 200 });
    const code = (result.spawnError as NodeJS.ErrnoException | undefined)?.code;
    return {
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderrTail,
      ...(result.spawnError && { spawnErrorCode: result.spawnError instanceof ToolMissingError ? 'ENOENT' : (code ?? 'ESPAWN') }),
    };
  };
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
