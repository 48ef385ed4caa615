import { spawnTool, toolPath } from '../client-tool.js';
import { connectionEnv, type PostgresConnection } from '../connection.js';
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
export async function restoreGlobals(
  file: string,
  connection: PostgresConnection,
  options: { binDir?: string; env?: Record<string, string | undefined>; signal?: AbortSignal } = {},
): Promise<GlobalsRestoreResult> {
  const started = performance.now();
  const errors: string[] = [];
  const run = spawnTool(toolPath('psql', options.binDir), ['-X', '-q', '-v', 'ON_ERROR_STOP=0', '-f', file], {
    env: connectionEnv(connection, options.env),
    signal: options.signal,
    // Lines arrive redacted.
    onStderrLine: (line) => {
      if (/\bERROR:/.test(line)) errors.push(line.trim());
    },
  });
  const exit = await run.exit;
  options.signal?.throwIfAborted();
  if (exit.spawnError) throw exit.spawnError;
  const alreadyExisted = errors.filter((line) => /already exists/.test(line)).length;
  if (exit.exitCode !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    throw new RestoreError(
      `psql ${how} replaying the globals script: ${exit.stderrTail.split('\n').slice(-3).join(' ')}`,
      { exitCode: exit.exitCode, signal: exit.signal, errors },
      'Check that psql can reach the target and that the file is a pg_dumpall globals script.',
    );
  }
  return { durationMs: Math.round(performance.now() - started), errors: errors.filter((line) => !/already exists/.test(line)), alreadyExisted };
}
