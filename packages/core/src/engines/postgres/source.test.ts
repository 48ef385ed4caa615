import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { SourceResult, SourceRun } from '../source.js';
import { withCompression } from './source.js';

/**
 * The join of pg_dump and its zstd stage, with stand-ins for both: what the run's result says
 * must not depend on which process happens to finish first.
 */
function joined(dump: Promise<SourceResult>) {
  const controller = new AbortController();
  let killed = 0;
  let exit!: (error?: Error) => void;
  // zstd exits cleanly when its input ends, or by a signal when it is stopped.
  const done = new Promise<void>((ok, fail) => (exit = (error) => (error ? fail(error) : ok())));
  const run: SourceRun = { stream: new PassThrough(), result: dump, abort: () => {} };
  const out = new PassThrough();
  const joinedRun = withCompression(run, out, done, done, () => {
    killed++;
    exit(new Error('zstd was killed by SIGTERM.'));
  }, controller.signal);
  return { run: joinedRun, controller, exit, killed: () => killed };
}

const dumped: SourceResult = { manifest: { kind: 'postgres' }, stats: {} };

describe('withCompression', () => {
  it('rejects with the abort reason when pg_dump had already finished and zstd was still writing', async () => {
    const { run, controller, killed } = joined(Promise.resolve(dumped));
    await new Promise((r) => setImmediate(r));
    const reason = new Error('upload failed');
    controller.abort(reason);
    await expect(run.result).rejects.toBe(reason);
    expect(killed()).toBe(1);
  });

  it('rejects with the abort reason while pg_dump still runs', async () => {
    let fail!: (error: Error) => void;
    const { run, controller } = joined(new Promise((_, no) => (fail = no)));
    const reason = new Error('upload failed');
    controller.abort(reason);
    fail(reason);
    await expect(run.result).rejects.toBe(reason);
  });

  it('an abort() without a reason says the dump was stopped', async () => {
    const { run } = joined(Promise.resolve(dumped));
    run.abort();
    await expect(run.result).rejects.toThrow('The dump was stopped before it finished.');
  });

  it('resolves with the dump\'s result when both finish, and a later abort changes nothing', async () => {
    const { run, controller, exit, killed } = joined(Promise.resolve(dumped));
    exit();
    await expect(run.result).resolves.toBe(dumped);
    controller.abort(new Error('too late'));
    await expect(run.result).resolves.toBe(dumped);
    expect(killed()).toBe(0);
  });

  it('a zstd failure of its own fails the run, naming zstd', async () => {
    const { run, exit } = joined(Promise.resolve(dumped));
    exit(new Error('zstd exited with 1: write error'));
    await expect(run.result).rejects.toThrow('Compressing the dump failed: zstd exited with 1: write error');
  });
});
