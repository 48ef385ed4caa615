import { spawn, spawnSync } from 'node:child_process';
import { childEnv } from './child-env.js';

/** What must happen if this process dies before a throwaway server is stopped or a temp folder removed. */
export interface CleanupPlan {
  /** A server process to stop (immediate shutdown, then SIGKILL). */
  readonly pid?: number;
  /** The signal that stops `pid` at once; default SIGQUIT (PostgreSQL's immediate shutdown). redis-server takes SIGTERM. */
  readonly stopSignal?: 'SIGQUIT' | 'SIGTERM' | 'SIGINT';
  /** Commands to run once it is gone, e.g. `docker rm -f -v <name>`: program, then arguments. */
  readonly commands?: readonly (readonly string[])[];
  /** Folders to remove last. */
  readonly dirs?: readonly string[];
}

/** Cancels the guard once the owner has cleaned up itself. */
export interface CleanupGuard {
  release(): void;
}

const active = new Map<CleanupPlan, Record<string, string>>();
let exitHookInstalled = false;

/**
 * A detached Node process that outlives this one: when this process dies without releasing
 * the guard (SIGKILL, a signal without handler, a crash), it carries out the plan. Polling
 * the parent is the only portable way to notice a SIGKILL.
 */
const WATCHDOG = `
  const { spawnSync } = require('node:child_process');
  const { rmSync } = require('node:fs');
  const parent = Number(process.argv[1]);
  const plan = JSON.parse(process.argv[2]);
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
  const finish = () => {
    for (const [file, ...args] of plan.commands ?? []) { try { spawnSync(file, args, { stdio: 'ignore', timeout: 60000 }); } catch {} }
    for (const dir of plan.dirs ?? []) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  };
  const timer = setInterval(() => {
    if (alive(parent)) return;
    clearInterval(timer);
    if (!plan.pid) return finish();
    try { process.kill(plan.pid, plan.stopSignal || 'SIGQUIT'); } catch {}
    const started = Date.now();
    const wait = setInterval(() => {
      if (alive(plan.pid) && Date.now() - started < 10000) return;
      clearInterval(wait);
      if (alive(plan.pid)) { try { process.kill(plan.pid, 'SIGKILL'); } catch {} }
      setTimeout(finish, 200);
    }, 100);
  }, 500);
`;

/**
 * Guards a throwaway server or a plaintext temp folder: a watchdog for a dying process, and a
 * synchronous exit hook.
 * `env` is the allow-listed environment the commands run in (e.g. the docker client's; it
 * stays out of the watchdog's arguments); default: `childEnv` of this process's. The watchdog
 * never sees the runner's secrets.
 */
export function guardCleanup(plan: CleanupPlan, env?: Record<string, string>): CleanupGuard {
  const commandEnv = env ?? childEnv(process.env);
  active.set(plan, commandEnv);
  installExitHook();
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), JSON.stringify(plan)], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    env: commandEnv,
  });
  watchdog.on('error', () => {}); // Best effort: the exit hook still covers ordinary exits.
  watchdog.unref();
  return {
    release() {
      active.delete(plan);
      if (watchdog.pid !== undefined && watchdog.exitCode === null) sendSignal(watchdog.pid, 'SIGTERM');
    },
  };
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous best effort on a normal exit; the watchdogs remove folders once servers are gone.
  process.on('exit', () => {
    for (const [plan, env] of active) {
      if (plan.pid !== undefined) sendSignal(plan.pid, plan.stopSignal ?? 'SIGQUIT');
      for (const [file, ...args] of plan.commands ?? []) {
        try {
          spawnSync(file!, args, { stdio: 'ignore', timeout: 30_000, env });
        } catch {
          // Nothing more can be done while exiting.
        }
      }
    }
  });
}

/** Sends a signal, ignoring a process that is already gone. */
export function sendSignal(pid: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
