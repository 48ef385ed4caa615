import { join } from 'node:path';
import { childEnv } from '../../process/child-env.js';
import { runTool, spawnTool as spawnProgram, type SpawnToolOptions, type ToolRun } from '../../process/spawn-tool.js';
import { parseClientVersion, type PgVersion } from '../../toolchain/version.js';
import { PostgresToolMissingError } from './errors.js';

/** Path of a client program: inside `binDir` when given, else looked up on PATH. */
export function toolPath(name: string, binDir?: string): string {
  return binDir ? join(binDir, name) : name;
}

const versions = new Map<string, Promise<PgVersion>>();

/** The version a client program reports (`pg_dump --version`), cached per path. */
export function clientVersion(path: string, env: Record<string, string | undefined> = process.env): Promise<PgVersion> {
  let known = versions.get(path);
  if (!known) {
    known = runTool(path, ['--version'], { env: childEnv(env), timeoutMs: 30_000, missing: missingTool }).then((result) => {
      if (result.spawnError) throw result.spawnError;
      if (result.exitCode !== 0) {
        const why = result.timedOut ? 'timed out' : result.signal ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
        throw new PostgresToolMissingError(`${path} --version ${why}${result.stderrTail ? `: ${result.stderrTail}` : ''}.`, 'Check the PostgreSQL client installation.');
      }
      const version = parseClientVersion(result.stdout);
      if (version) return version;
      throw new PostgresToolMissingError(`${path} is not a PostgreSQL client program (it printed '${result.stdout.trim().slice(0, 80)}').`);
    });
    known.catch(() => versions.delete(path));
    versions.set(path, known);
  }
  return known;
}

export type { SpawnToolOptions, ToolExit, ToolRun } from '../../process/spawn-tool.js';

/** Starts a PostgreSQL client program; a missing one is reported with how to install it. */
export function spawnTool(path: string, args: readonly string[], options: SpawnToolOptions): ToolRun {
  return spawnProgram(path, args, { missing: missingTool, ...options });
}

function missingTool(path: string): PostgresToolMissingError {
  const name = path.split(/[\\/]/).pop() ?? path;
  return new PostgresToolMissingError(
    `${name} was not found (${path.includes('/') ? path : 'not on PATH'}).`,
    'Install the PostgreSQL client tools (e.g. postgresql-client) or set `postgres-client-version` so Lifeboat obtains a matching client.',
  );
}
