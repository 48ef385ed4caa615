/**
 * age benchmark (scripts/bench/age.mjs, a plain Node script): Lifeboat's age encryption and
 * decryption against the `age` CLI on the same data, in a Node process of its own on the
 * current source. Sizes: LIFEBOAT_BENCH_SIZE_MB (default 1024), repeats LIFEBOAT_BENCH_RUNS.
 * Run with `npm run bench -- age`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { compileCore, type CompiledCore } from '../../test/bench-support/compile-core.js';
import { benchSettings } from '../../test/bench-support/settings.js';

const settings = benchSettings();
let core: CompiledCore | undefined;

beforeAll(async () => {
  core = await compileCore();
});
afterAll(() => core?.cleanup());

describe('age', () => {
  it(`encrypts and decrypts ${settings.sizeMiB} MiB: Lifeboat against the age CLI`, () =>
    new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, [join(import.meta.dirname, 'age.mjs')], {
        env: { ...process.env, LIFEBOAT_BENCH_CORE: core!.libDir, LIFEBOAT_BENCH_SIZE_MB: String(settings.sizeMiB), LIFEBOAT_BENCH_RUNS: String(settings.runs) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', fail);
      child.on('close', (code, signal) => (code === 0 ? done() : fail(new Error(`age.mjs exited ${signal ?? code}`))));
    }));
});
