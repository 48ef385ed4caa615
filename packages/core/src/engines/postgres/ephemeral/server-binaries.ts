import { readdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { clientDirPatterns, isExecutable, probeVersion } from '../../../toolchain/discover.js';
import { PGDG_SETUP_SCRIPT, type PlatformInfo } from '../../../toolchain/platform.js';
import { ServerBinariesMissingError } from './errors.js';

type Env = Record<string, string | undefined>;

/** One installed PostgreSQL server: a folder holding `initdb` and `postgres` of one version. */
export interface ServerInstallation {
  readonly major: number;
  /** As `postgres --version` says it, e.g. `15.18`. */
  readonly version: string;
  readonly binDir: string;
}

function exe(platform: PlatformInfo, name: string): string {
  return platform.os === 'win32' ? `${name}.exe` : name;
}

/**
 * The server in one folder, named by the folder of the real `postgres` binary (a PATH
 * entry may hold symlinks); undefined when the folder lacks `initdb` or `postgres`.
 */
export async function inspectServerDir(dir: string, platform: PlatformInfo): Promise<ServerInstallation | undefined> {
  const postgres = join(dir, exe(platform, 'postgres'));
  if (!(await isExecutable(postgres))) return undefined;
  const binDir = dirname(await realpath(postgres).catch(() => postgres));
  if (!(await isExecutable(join(binDir, exe(platform, 'initdb'))))) return undefined;
  const version = await probeVersion(join(binDir, exe(platform, 'postgres')));
  return version && { major: version.major, version: version.version, binDir };
}

/**
 * Every server installation here, highest major first: PATH, Debian/Ubuntu
 * (`/usr/lib/postgresql/<N>/bin`), PGDG RPMs (`/usr/pgsql-<N>/bin`), Homebrew, Postgres.app
 * (the folders where client tools are looked for too).
 */
export async function findServerInstallations(env: Env, platform: PlatformInfo): Promise<ServerInstallation[]> {
  const dirs: string[] = [];
  for (const pattern of clientDirPatterns(env, platform)) {
    if (typeof pattern === 'string') {
      dirs.push(pattern);
      continue;
    }
    const entries = await readdir(pattern.parent).catch(() => [] as string[]);
    for (const entry of entries) if (pattern.entry.test(entry)) dirs.push(join(pattern.parent, entry, pattern.suffix));
  }
  const found = await Promise.all([...new Set(dirs)].map((dir) => inspectServerDir(dir, platform)));
  const byDir = new Map<string, ServerInstallation>();
  for (const installation of found) if (installation && !byDir.has(installation.binDir)) byDir.set(installation.binDir, installation);
  return [...byDir.values()].sort((a, b) => b.major - a.major || b.version.localeCompare(a.version, 'en', { numeric: true }));
}

/** The command (or package) that installs the server binaries of `major` on this platform. */
export function serverInstallHint(major: number, platform: PlatformInfo): string {
  const ids = [platform.distro?.id, ...(platform.distro?.idLike ?? [])];
  if (platform.os === 'linux' && (ids.includes('debian') || ids.includes('ubuntu'))) {
    return (
      `the Debian/Ubuntu package postgresql-${major} (sudo apt-get install -y postgresql-${major}; if your release lacks it, ` +
      `first: sudo apt-get install -y postgresql-common && sudo ${PGDG_SETUP_SCRIPT} -y)`
    );
  }
  if (platform.os === 'linux' && ids.some((id) => id === 'rhel' || id === 'fedora' || id === 'centos')) {
    return `the package postgresql${major}-server from the PostgreSQL (PGDG) yum repository (binaries in /usr/pgsql-${major}/bin)`;
  }
  if (platform.os === 'darwin') return `brew install postgresql@${major}`;
  return `the PostgreSQL ${major} server (initdb and postgres; on Debian/Ubuntu the package postgresql-${major})`;
}

function describeFound(installations: readonly ServerInstallation[]): string {
  return installations.length === 0 ? 'none' : installations.map((i) => `${i.version} in ${i.binDir}`).join(', ');
}

/** The error for "no server binaries of `major`" (any major when undefined), naming what to install. */
export function serverMissingError(
  major: number | undefined,
  installations: readonly ServerInstallation[],
  platform: PlatformInfo,
): ServerBinariesMissingError {
  const wanted = major === undefined ? 'PostgreSQL server binaries' : `PostgreSQL ${major} server binaries`;
  return new ServerBinariesMissingError(
    `No ${wanted} (initdb, postgres) on this machine to start a throwaway database (found: ${describeFound(installations)}).`,
    `Install ${major === undefined ? 'a PostgreSQL server (Debian/Ubuntu: the package postgresql)' : serverInstallHint(major, platform)}, or pass \`target-database-url\` to restore into a PostgreSQL server you provide`,
    major,
  );
}

/** The installation to use: exactly `major` when given, else the highest; undefined when none fits. */
export function pickServerInstallation(
  installations: readonly ServerInstallation[],
  major?: number,
): ServerInstallation | undefined {
  if (major === undefined) return installations[0];
  return installations.find((i) => i.major === major);
}
