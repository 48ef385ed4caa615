/** Timing the commands an operator would type, exactly as typed, under bash. */
import { spawn } from 'node:child_process';

/** How one shell command went. */
export interface CommandRun {
  readonly seconds: number;
}

/**
 * Runs `script` with `bash -c` under `set -euo pipefail` (so a failing pg_dump fails the
 * pipeline, as a careful operator's script would) and times it from spawn to exit.
 * Rejects with the command's stderr when it fails.
 */
export function timeShell(script: string, env: Record<string, string | undefined>): Promise<CommandRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) done({ seconds });
      else fail(new Error(`\`${script}\` failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
