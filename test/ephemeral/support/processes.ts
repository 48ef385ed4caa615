import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Whether a process exists (a zombie of a finished child counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust the signal probe
  }
}

/** Process ids whose command line mentions `text` (from /proc). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(join('/proc', entry, 'cmdline'), 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

const here = import.meta.dirname;

/** Starts `hold-server.ts` in a plain node process and resolves with the first JSON line it prints. */
export async function holdServer(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; handle: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', join(here, 'register-ts.mjs'), join(here, 'hold-server.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((done, fail) => {
    lines.once('line', done);
    child.once('exit', (code) => fail(new Error(`hold-server exited (${code}) before printing: ${stderr}`)));
  });
  return { child, handle: JSON.parse(first) as Record<string, unknown> };
}
