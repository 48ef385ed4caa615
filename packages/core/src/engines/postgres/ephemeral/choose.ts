import type { PlatformInfo } from '../../../toolchain/platform.js';
import type { DockerStatus } from './docker-command.js';
import { serverInstallHint, type ServerInstallation } from './server-binaries.js';

type Env = Record<string, string | undefined>;

/** Everything the choice of a throwaway server depends on; no I/O happens while choosing. */
export interface EphemeralFacts {
  /** The major the backup needs: its source server's. */
  readonly major: number;
  /** Server binaries on this machine. */
  readonly installations: readonly ServerInstallation[];
  /** Whether this is a Linux GitHub Actions runner (where containers are the norm). */
  readonly linuxRunner: boolean;
  /** The docker probe; undefined when it was not worth asking. */
  readonly docker?: DockerStatus;
  /** Names the install command in the refusal. */
  readonly platform: PlatformInfo;
}

/** Start a local cluster of these binaries, a container of this image, or refuse saying what to do. */
export type EphemeralChoice =
  | { readonly kind: 'local'; readonly installation: ServerInstallation; readonly note?: string }
  | { readonly kind: 'docker'; readonly image: string }
  | { readonly kind: 'refuse'; readonly reason: string; readonly fix: string };

/** A GitHub Actions job on a Linux runner (hosted or self-hosted). */
export function isLinuxRunner(env: Env, platform: PlatformInfo): boolean {
  return env.GITHUB_ACTIONS === 'true' && env.RUNNER_OS === 'Linux' && platform.os === 'linux';
}

/** Whether the choice may need docker: only then is the engine probed. */
export function dockerWorthProbing(facts: Omit<EphemeralFacts, 'docker'>): boolean {
  return facts.linuxRunner && !facts.installations.some((i) => i.major === facts.major);
}

/**
 * The exact major from local binaries; else, on a Linux runner with a working docker, a
 * `postgres:<major>` container (the exact major again); else the nearest newer local major,
 * since a dump restores into newer servers; never an older one, into which it may not.
 */
export function chooseEphemeralPostgres(facts: EphemeralFacts): EphemeralChoice {
  const { major, installations } = facts;
  const exact = installations.find((i) => i.major === major);
  if (exact) return { kind: 'local', installation: exact };
  if (facts.linuxRunner && facts.docker?.available) return { kind: 'docker', image: `postgres:${major}` };
  const newer = installations.filter((i) => i.major > major).sort((a, b) => a.major - b.major)[0];
  if (newer) {
    return {
      kind: 'local',
      installation: newer,
      note: `No PostgreSQL ${major} server here; the backup is restored into PostgreSQL ${newer.version} instead (a newer major restores older dumps).`,
    };
  }
  const found = installations.length === 0 ? 'no server binaries' : `only PostgreSQL ${installations.map((i) => i.version).join(', ')}, older than the backup`;
  const docker = !facts.linuxRunner
    ? 'and Lifeboat starts containers only on Linux GitHub runners'
    : facts.docker && !facts.docker.available
      ? `and docker cannot start a container (${facts.docker.detail})`
      : 'and docker was not available';
  return {
    kind: 'refuse',
    reason: `The backup needs a PostgreSQL ${major} (or newer) server to restore into; this machine has ${found}, ${docker}.`,
    fix:
      `Install ${serverInstallHint(major, facts.platform)}, or run the drill with a \`services: postgres\` container ` +
      `(image postgres:${major}) and pass its URL as \`target-database-url\``,
  };
}
