import type { DockerStatus } from '../postgres/ephemeral/docker-command.js';
import { runTool } from '../../process/spawn-tool.js';
import { redisMajor } from './info.js';

/** A redis-server program on this machine. */
export interface LocalRedisServer {
  readonly path: string;
  /** `7.0.15` */
  readonly version: string;
  readonly major: number;
}

/** Everything the choice of a throwaway server depends on; no I/O happens while choosing. */
export interface RedisServerFacts {
  /** The major of the server the backup was taken from. */
  readonly backupMajor: number;
  /** The machine's redis-server, when there is one. */
  readonly local?: LocalRedisServer;
  /** A GitHub Actions job on a Linux runner (where containers are the norm). */
  readonly linuxRunner: boolean;
  /** The docker probe; undefined when it was not worth asking. */
  readonly docker?: DockerStatus;
}

/** Start the machine's redis-server, a `redis:<major>` container, or refuse saying what to do. */
export type RedisServerChoice =
  | { readonly kind: 'local'; readonly server: LocalRedisServer; readonly note?: string }
  | { readonly kind: 'docker'; readonly image: string }
  | { readonly kind: 'refuse'; readonly reason: string; readonly fix: string };

/** Whether docker needs probing: only on a Linux runner without a local server of the backup's major. */
export function redisDockerWorthProbing(facts: Omit<RedisServerFacts, 'docker'>): boolean {
  return facts.linuxRunner && facts.local?.major !== facts.backupMajor;
}

/**
 * The machine's redis-server when it is of the backup's major; else, on a Linux runner
 * where docker works, a `redis:<major>` container; else the machine's server when it is
 * newer (Redis loads older RDB files); never an older one, which cannot read a newer RDB.
 */
export function chooseRedisServer(facts: RedisServerFacts): RedisServerChoice {
  const { backupMajor, local } = facts;
  if (local && local.major === backupMajor) return { kind: 'local', server: local };
  if (facts.linuxRunner && facts.docker?.available) return { kind: 'docker', image: `redis:${backupMajor}` };
  if (local && local.major > backupMajor) {
    return {
      kind: 'local',
      server: local,
      note: `No Redis ${backupMajor} server here; the backup is loaded into redis-server ${local.version} instead (a newer major reads older RDB files).`,
    };
  }
  const found = local ? `only redis-server ${local.version}, older than the backup's Redis ${backupMajor}` : 'no redis-server';
  const docker = !facts.linuxRunner
    ? 'and Lifeboat starts containers only on Linux GitHub runners'
    : facts.docker && !facts.docker.available
      ? `and docker cannot start a container (${facts.docker.detail})`
      : 'and docker was not available';
  return {
    kind: 'refuse',
    reason: `The backup needs a Redis ${backupMajor} (or newer) server to load it; this machine has ${found}, ${docker}.`,
    fix: `Install redis-server ${backupMajor} or newer (or point \`redis-server-path\` at one), or give the drill an empty Redis ${backupMajor}+ server as \`target-redis-url\``,
  };
}

/** `Redis server v=7.0.15 sha=...` → `7.0.15`. */
export function parseServerVersion(output: string): string | undefined {
  return /\bv=(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/** Finds the redis-server program and its version; undefined when it is not installed. */
export async function findLocalRedisServer(path: string, env: Record<string, string>): Promise<LocalRedisServer | undefined> {
  const run = await runTool(path, ['--version'], { env, timeoutMs: 30_000 });
  const version = run.exitCode === 0 ? parseServerVersion(run.stdout) : undefined;
  return version ? { path, version, major: redisMajor(version) } : undefined;
}
