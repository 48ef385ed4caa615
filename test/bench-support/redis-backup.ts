/**
 * Runs a Lifeboat Redis backup in a Node process of its own (./run-redis-backup.mjs) and
 * measures it from the outside: wall time from spawn to exit, start-up included, and the
 * process's peak RSS. redis-server and the store are other processes.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { CompiledCore } from './compile-core.js';

export interface RedisBackupRun {
  readonly seconds: number;
  readonly wallSeconds: number;
  readonly size: number;
  readonly plaintextBytes: number;
  readonly stats: unknown;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

const runner = join(import.meta.dirname, 'run-redis-backup.mjs');

/** Backs up `url` into the folder `store`, encrypted to `recipients`; rejects when the backup fails. */
export async function runRedisBackup(core: CompiledCore, request: { url: string; mode: 'rdb' | 'keys'; store: string; recipients: string }): Promise<RedisBackupRun> {
  const started = performance.now();
  const child = fork(runner, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const reply = await new Promise<Record<string, unknown>>((done, fail) => {
      child.once('message', (message) => done(message as Record<string, unknown>));
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`the backup process exited (${signal ?? code}) without a result`)));
      child.send({ libDir: core.libDir, ...request });
    });
    await exited;
    if (!reply.ok) throw new Error(`Lifeboat Redis backup failed: ${String(reply.failure)}`);
    return { ...(reply as unknown as RedisBackupRun), wallSeconds: (performance.now() - started) / 1000 };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}
