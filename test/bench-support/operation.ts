/**
 * Runs a Lifeboat operation in a Node process of its own (./run-operation.mjs) and measures
 * it from the outside: wall time from spawn to exit (what `time lifeboat backup ...` shows,
 * start-up included) and the process's peak RSS. Only that process is measured: pg_dump,
 * pg_restore and the test services are other processes.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { CompiledCore } from './compile-core.js';

/** What the child reports about one operation. */
export interface OperationRun {
  readonly ok: boolean;
  readonly failure?: string;
  readonly outputs: Record<string, unknown>;
  readonly data: unknown;
  /** Inside the child, the operation call alone. */
  readonly seconds: number;
  /** Spawn to exit, start-up and module loading included. */
  readonly wallSeconds: number;
  /** The process's peak resident set size (getrusage ru_maxrss). */
  readonly peakRssMiB: number;
  /** RSS once the library was loaded, before the operation started. */
  readonly rssBeforeMiB: number;
  /** RSS sampled at each tenth of the run. */
  readonly rssByTenthMiB: readonly number[];
  readonly warnings: readonly string[];
  /** Every log line, prefixed with seconds since the operation started. */
  readonly log: readonly string[];
}

const runner = join(import.meta.dirname, 'run-operation.mjs');

/**
 * Runs `backup` or `drill` with options given as an operator would (kebab-case names, text
 * values); `env` is added to this process's environment. Rejects when the operation fails.
 */
export async function runOperation(
  core: CompiledCore,
  operation: 'backup' | 'drill',
  values: Record<string, string | undefined>,
  env: Record<string, string> = {},
): Promise<OperationRun> {
  const started = performance.now();
  // The AWS SDK's notice that it will need Node 22 in 2027 says nothing about the run.
  const childEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
  const child = fork(runner, [], { execArgv: [], env: childEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const reply = await new Promise<Omit<OperationRun, 'wallSeconds'>>((done, fail) => {
      child.once('message', (message) => done(message as Omit<OperationRun, 'wallSeconds'>));
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`the ${operation} process exited (${signal ?? code}) without a result`)));
      child.send({ coreUrl: core.indexUrl, operation, values, env });
    });
    await exited;
    const run = { ...reply, wallSeconds: (performance.now() - started) / 1000 };
    if (process.env.LIFEBOAT_BENCH_VERBOSE === 'true') {
      console.log(`[${operation}] ${run.seconds.toFixed(2)}s in the operation, ${run.wallSeconds.toFixed(2)}s wall\n  ${run.log.join('\n  ')}`);
    }
    if (!run.ok) throw new Error(`Lifeboat ${operation} failed: ${run.failure}`);
    return run;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}
