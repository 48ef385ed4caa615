import { readFile } from 'node:fs/promises';

type Env = Record<string, string | undefined>;

/** The machine a client is looked for on: OS, CPU and, on Linux, the distribution. */
export interface PlatformInfo {
  /** `process.platform`: `linux`, `darwin`, `win32`, ... */
  readonly os: string;
  /** `x64`, `arm64`, ... */
  readonly arch: string;
  /** From /etc/os-release on Linux. */
  readonly distro?: {
    readonly id: string;
    readonly idLike: readonly string[];
    readonly versionId?: string;
    readonly codename?: string;
  };
}

/** Whether this run may install a PostgreSQL client, and why not when it may not. */
export interface InstallSupport {
  readonly possible: boolean;
  readonly reason: string;
}

/** Where the PGDG repository setup script lives once Ubuntu's `postgresql-common` is installed. */
export const PGDG_SETUP_SCRIPT = '/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh';

/** Parses the `KEY=value` lines of os-release(5), unquoting values. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2]!.trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    fields[match[1]!] = value;
  }
  return fields;
}

/** Builds platform info from OS facts and, on Linux, the os-release text. */
export function platformFrom(os: string, arch: string, osRelease?: string): PlatformInfo {
  if (os !== 'linux' || osRelease === undefined) return { os, arch };
  const fields = parseOsRelease(osRelease);
  if (!fields.ID) return { os, arch };
  return {
    os,
    arch,
    distro: {
      id: fields.ID.toLowerCase(),
      idLike: (fields.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean),
      versionId: fields.VERSION_ID,
      codename: fields.VERSION_CODENAME || fields.UBUNTU_CODENAME,
    },
  };
}

/** The platform this process runs on (reads /etc/os-release on Linux). */
export async function detectPlatform(): Promise<PlatformInfo> {
  let osRelease: string | undefined;
  if (process.platform === 'linux') {
    osRelease = await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8').catch(() => undefined));
  }
  return platformFrom(process.platform, process.arch, osRelease);
}

/**
 * Installing is allowed only on GitHub-hosted Ubuntu runners: they are throwaway machines
 * with passwordless sudo. Anywhere else (a laptop, a self-hosted runner, the CLI outside
 * Actions) changing system packages is the operator's call, so Lifeboat only says how.
 */
export function installSupport(env: Env, platform: PlatformInfo): InstallSupport {
  if (env.GITHUB_ACTIONS !== 'true') {
    return { possible: false, reason: 'Lifeboat installs PostgreSQL clients only inside GitHub Actions' };
  }
  if (env.RUNNER_OS !== 'Linux' || platform.os !== 'linux') {
    return { possible: false, reason: `Lifeboat installs PostgreSQL clients only on Linux runners (this is ${env.RUNNER_OS ?? platform.os})` };
  }
  if (platform.distro?.id !== 'ubuntu') {
    return { possible: false, reason: `Lifeboat installs PostgreSQL clients only on Ubuntu runners (this is ${platform.distro?.id ?? 'an unknown distribution'})` };
  }
  if (env.RUNNER_ENVIRONMENT === 'self-hosted') {
    return { possible: false, reason: 'Lifeboat does not change system packages on self-hosted runners' };
  }
  return { possible: true, reason: 'GitHub-hosted Ubuntu runner' };
}

function isDebianLike(platform: PlatformInfo): boolean {
  const ids = [platform.distro?.id, ...(platform.distro?.idLike ?? [])];
  return ids.includes('debian') || ids.includes('ubuntu');
}

function isRedHatLike(platform: PlatformInfo): boolean {
  const ids = [platform.distro?.id, ...(platform.distro?.idLike ?? [])];
  return ids.some((id) => id === 'rhel' || id === 'fedora' || id === 'centos');
}

/** The command an operator runs to install the client of `major` on this platform. */
export function installHint(major: number, platform: PlatformInfo): string {
  if (platform.os === 'linux' && isDebianLike(platform)) {
    return (
      `sudo apt-get install -y postgresql-common && sudo ${PGDG_SETUP_SCRIPT} -y && ` +
      `sudo apt-get install -y postgresql-client-${major}`
    );
  }
  if (platform.os === 'linux' && isRedHatLike(platform)) {
    return `sudo dnf install -y postgresql${major} (from the PostgreSQL (PGDG) yum repository; the tools land in /usr/pgsql-${major}/bin)`;
  }
  if (platform.os === 'darwin') return `brew install postgresql@${major}`;
  if (platform.os === 'win32') {
    return `install the PostgreSQL ${major} command-line tools and put their bin folder (e.g. C:\\Program Files\\PostgreSQL\\${major}\\bin) on PATH`;
  }
  return `install the PostgreSQL ${major} client tools (pg_dump, pg_restore, psql) and put them on PATH`;
}
