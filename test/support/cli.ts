import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

/** Starts the real `lifeboat` CLI from its sources in a node process of its own. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', join(repo, 'test', 'support', 'register-ts.mjs'), join(repo, 'packages', 'cli', 'src', 'index.ts'), ...args], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  return Object.assign(child, { output: () => output });
}

/** Runs the CLI to its end: exit code and everything it printed. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = startCli(args, env);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output: child.output() };
}
