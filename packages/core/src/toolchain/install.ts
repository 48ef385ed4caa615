import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '../context.js';
import { childEnv } from '../process/child-env.js';
import { ClientInstallError } from './errors.js';
import { PGDG_SETUP_SCRIPT, type PlatformInfo } from './platform.js';

type Env = Record<string, string | undefined>;

/** One program run: file and arguments, never a shell string. */
export interface InstallCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** The Debian/Ubuntu package that holds pg_dump, pg_restore and psql of `major`. */
export function clientPackage(major: number): string {
  return `postgresql-client-${major}`;
}

/** Runs as root directly, or through passwordless sudo; apt never asks questions. */
export function privileged(asRoot: boolean, argv: readonly string[]): InstallCommand {
  const withEnv = ['DEBIAN_FRONTEND=noninteractive', ...argv];
  return asRoot ? { file: 'env', args: withEnv } : { file: 'sudo', args: ['-n', 'env', ...withEnv] };
}

/**
 * Installing from the network: enable the PostgreSQL (PGDG) apt repository with the setup
 * script Ubuntu's `postgresql-common` ships (so no repository host is written here), download
 * the client's packages into `debDir` (to cache them), then install from there.
 */
export function networkInstallCommands(options: {
  major: number;
  debDir: string;
  asRoot: boolean;
  setupScriptPresent: boolean;
}): InstallCommand[] {
  const { major, debDir, asRoot } = options;
  const apt = (...args: string[]) => privileged(asRoot, ['apt-get', ...args]);
  const archives = `Dir::Cache::archives=${debDir}`;
  return [
    ...(options.setupScriptPresent ? [] : [apt('update'), apt('install', '-y', '--no-install-recommends', 'postgresql-common')]),
    privileged(asRoot, [PGDG_SETUP_SCRIPT, '-y']),
    apt('install', '-y', '--no-install-recommends', '--download-only', '-o', archives, clientPackage(major)),
    apt('install', '-y', '--no-install-recommends', '-o', archives, clientPackage(major)),
  ];
}

/** Installing from package files restored from the cache: no repository, no download. */
export function cachedInstallCommands(options: { debFiles: readonly string[]; asRoot: boolean }): InstallCommand[] {
  if (options.debFiles.length === 0) return [];
  return [privileged(options.asRoot, ['apt-get', 'install', '-y', '--no-install-recommends', ...options.debFiles])];
}

/**
 * The Actions cache key of a major's packages. Packages differ per Ubuntu release and CPU,
 * so both are in the key; a new minor release is picked up when the cache entry expires.
 */
export function clientCacheKey(major: number, platform: PlatformInfo): string {
  const distro = platform.distro ? `${platform.distro.id}-${platform.distro.versionId ?? platform.distro.codename ?? 'unknown'}` : platform.os;
  return `lifeboat-postgresql-client-${major}-${distro}-${platform.arch}`;
}

/** Where a major's package files are kept between runs; stable so the cache paths match. */
export function clientCacheDir(major: number, env: Env): string {
  const base = env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || tmpdir();
  return join(base, 'lifeboat', 'postgresql-client-debs', String(major));
}

/** The paths given to @actions/cache: the package files only (apt's lock file is root's). */
export function clientCachePaths(debDir: string): string[] {
  return [`${debDir}/*.deb`];
}

function quote(command: InstallCommand): string {
  return [command.file, ...command.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ');
}

async function run(command: InstallCommand): Promise<void> {
  // apt and the setup script get the allow-listed environment only, never the runner's secrets.
  // Loaded here: only runs that install the PostgreSQL client need it.
  const { getExecOutput } = await import('@actions/exec');
  const result = await getExecOutput(command.file, [...command.args], { ignoreReturnCode: true, env: childEnv(process.env) });
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-8).join(' | ');
    throw new ClientInstallError(
      `Installing the PostgreSQL client failed: \`${quote(command)}\` exited with ${result.exitCode}${tail ? `: ${tail}` : ''}.`,
      'Check the step log above for the package manager output; set postgres-client-version to a major the runner already has, or retry the run.',
    );
  }
}

async function debFiles(debDir: string): Promise<string[]> {
  const entries = await readdir(debDir).catch(() => [] as string[]);
  return entries.filter((name) => name.endsWith('.deb')).sort().map((name) => join(debDir, name));
}

/**
 * Installs `postgresql-client-<major>` on a GitHub-hosted Ubuntu runner, from the Actions
 * cache when an earlier run saved the packages, otherwise from the PGDG repository (then
 * saves them). Only the caller decides whether installing is allowed.
 */
export async function installPostgresClient(major: number, platform: PlatformInfo, context: RunContext): Promise<void> {
  const { reporter, env } = context;
  const asRoot = process.getuid?.() === 0;
  const debDir = clientCacheDir(major, env);
  const key = clientCacheKey(major, platform);
  const paths = clientCachePaths(debDir);
  await mkdir(join(debDir, 'partial'), { recursive: true });
  // Loaded only when installing: @actions/cache costs about a second and 40 MiB to import.
  const cache = await import('@actions/cache');
  const cacheAvailable = cache.isFeatureAvailable();

  await reporter.group(`Install the PostgreSQL ${major} client`, async () => {
    let restored: string | undefined;
    if (cacheAvailable) {
      restored = await cache.restoreCache(paths, key).catch((error: unknown) => {
        reporter.warning(`Could not read the PostgreSQL client cache (${String(error)}); downloading instead.`);
        return undefined;
      });
    }
    if (restored) {
      const files = await debFiles(debDir);
      try {
        for (const command of cachedInstallCommands({ debFiles: files, asRoot })) await run(command);
        reporter.info(`Installed the PostgreSQL ${major} client from the Actions cache (${key}, ${files.length} packages).`);
        return;
      } catch (error) {
        // Cached packages can stop fitting when the runner image changes; the network path still works.
        reporter.warning(`Installing from the cached packages failed; downloading instead. ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const commands = networkInstallCommands({ major, debDir, asRoot, setupScriptPresent: existsSync(PGDG_SETUP_SCRIPT) });
    for (const command of commands) await run(command);
    reporter.info(`Installed the PostgreSQL ${major} client from the PostgreSQL apt repository.`);
    if (cacheAvailable && !restored && (await debFiles(debDir)).length > 0) {
      try {
        await cache.saveCache(paths, key);
        reporter.info(`Saved the client packages to the Actions cache as ${key}.`);
      } catch (error) {
        // Another job may have saved the same key first; the next run restores that one.
        reporter.warning(`Could not save the PostgreSQL client packages to the cache: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
}
