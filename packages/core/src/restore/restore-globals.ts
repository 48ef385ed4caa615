import { spawn } from 'node:child_process';
import { redact } from '../report/secrets.js';
import { toolPath } from '../sources/postgres/client-tool.js';
import { connectionEnv, type PostgresConnection } from '../sources/postgres/connection.js';
import { RestoreError } from './errors.js';

/** Outcome of replaying a `pg_dumpall --globals-only` script. */
export interface GlobalsRestoreResult {
  readonly durationMs: number;
  /** Statements that failed, `already exists` ones excluded (a target always has its own superuser). */
  readonly errors: readonly string[];
  /** `already exists` errors: expected on any server that has roles of its own. */
  readonly alreadyExisted: number;
}

/** Replays a globals script (roles, tablespaces) with psql, counting the statements that failed. */
export async function restoreGlobals(file: string, connection: PostgresConnection, options: { binDir?: string; env?: Record<string, string | undefined> } = {}): Promise<GlobalsRestoreResult> {
  const started = performance.now();
  const child = spawn(toolPath('psql', options.binDir), ['-X', '-q', '-v', 'ON_ERROR_STOP=0', '-f', file], {
    env: connectionEnv(connection, options.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const errors = stderr.split('\n').filter((line) => /\bERROR:/.test(line)).map((line) => redact(line.trim()));
  const alreadyExisted = errors.filter((line) => /already exists/.test(line)).length;
  if (code !== 0) {
    throw new RestoreError(
      `psql exited with code ${code} replaying the globals script: ${redact(stderr.trim().split('\n').slice(-3).join(' '))}`,
      { exitCode: code, signal: null, errors },
      'Check that psql can reach the target and that the file is a pg_dumpall globals script.',
    );
  }
  return { durationMs: Math.round(performance.now() - started), errors: errors.filter((line) => !/already exists/.test(line)), alreadyExisted };
}
