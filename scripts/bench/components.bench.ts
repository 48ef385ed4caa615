/**
 * The component benchmarks (plain Node scripts beside this file), run in sequence against the
 * current source: each gets the compiled library through the variable it reads, and the
 * PostgreSQL server it needs from the test harness. Their output is their own (tables and
 * JSON); a script that exits non-zero fails this file.
 *
 * Sizes: LIFEBOAT_BENCH_MIB (crypto, storage-upload, pg-dump-compression; each script's own
 * default otherwise), LIFEBOAT_BENCH_CANISTER="users notes-per-user concurrency".
 * Run with `npm run bench -- components`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { compileCore, type CompiledCore } from '../../test/bench-support/compile-core.js';
import { machineClientBinDir } from '../../test/postgres/sample.js';
import { startPostgres, type PgServer } from '../../test/services/postgres.js';

let core: CompiledCore | undefined;
let pg: PgServer | undefined;

beforeAll(async () => {
  core = await compileCore();
});

afterAll(async () => {
  await Promise.allSettled([pg?.stop(), core?.cleanup()]);
});

/** Runs `node [nodeArgs] scripts/bench/<script> [args]` with its output on the terminal. */
function runScript(script: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): Promise<void> {
  console.log(`\n### ${script}\n`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, join(import.meta.dirname, script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', (code, signal) => (code === 0 ? done() : fail(new Error(`${script} exited ${signal ?? code}`))));
  });
}

describe('component benchmarks', () => {
  it('OpenPGP encryption and decryption (crypto.mjs)', () => runScript('crypto.mjs', { LIFEBOAT_BENCH_CORE: core!.libDir }));

  it('store uploads (storage-upload.mjs)', () => runScript('storage-upload.mjs', { LIFEBOAT_BENCH_CORE: core!.libDir }));

  it('pg_dump compression settings (pg-dump-compression.mjs)', async () => {
    pg = await startPostgres();
    try {
      await runScript('pg-dump-compression.mjs', {
        LIFEBOAT_BENCH_DATABASE_URL: pg.url('postgres'),
        LIFEBOAT_BENCH_PG_DUMP: join(machineClientBinDir(), 'pg_dump'),
      });
    } finally {
      await pg.stop();
    }
  });

  it('canister export (canister-export.mjs)', () => {
    const args = (process.env.LIFEBOAT_BENCH_CANISTER ?? '').split(/\s+/).filter(Boolean);
    return runScript('canister-export.mjs', { LIFEBOAT_CORE_MODULE: join(core!.libDir, 'index.js') }, args, ['--expose-gc']);
  });
});
