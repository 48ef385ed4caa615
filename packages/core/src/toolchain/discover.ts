import { access, constants, readdir, realpath } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { childEnv } from '../process/child-env.js';
import { runTool } from '../process/spawn-tool.js';
import type { PlatformInfo } from './platform.js';
import { parseClientVersion } from './version.js';

type Env = Record<string, string | undefined>;

/** The client programs Lifeboat runs. */
export const PG_TOOLS = ['pg_dump', 'pg_restore', 'pg_dumpall', 'psql'] as const;
export type PgTool = (typeof PG_TOOLS)[number];

/** One installed PostgreSQL client: a bin folder whose tools share one version. */
export interface PgClientInstallation {
  readonly major: number;
  /** Full version as the tool prints it, e.g. `15.18`. */
  readonly version: string;
  readonly binDir: string;
  /** Tools present in `binDir`, name → absolute path. */
  readonly tools: Readonly<Partial<Record<PgTool, string>>>;
}

/** A folder pattern: a fixed path, or `parent` + entries matching `entry` + `suffix`. */
type DirPattern = string | { parent: string; entry: RegExp; suffix: string };

/**
 * Folders where PostgreSQL clients live, most specific first after PATH: the operator's
 * PATH, Debian/Ubuntu (`/usr/lib/postgresql/<N>/bin`), PGDG RPMs (`/usr/pgsql-<N>/bin`),
 * Homebrew, Postgres.app and the Windows installer.
 */
export function clientDirPatterns(env: Env, platform: PlatformInfo): DirPattern[] {
  const pathDirs = (env.PATH ?? env.Path ?? '').split(platform.os === 'win32' ? ';' : delimiter).filter(Boolean);
  const patterns: DirPattern[] = [...pathDirs];
  if (platform.os === 'win32') {
    for (const root of [env.ProgramFiles, env['ProgramFiles(x86)']]) {
      if (root) patterns.push({ parent: join(root, 'PostgreSQL'), entry: /^\d+(\.\d+)?$/, suffix: 'bin' });
    }
    return patterns;
  }
  patterns.push(
    { parent: '/usr/lib/postgresql', entry: /^\d+(\.\d+)?$/, suffix: 'bin' },
    { parent: '/usr', entry: /^pgsql-\d+(\.\d+)?$/, suffix: 'bin' },
  );
  const brewPrefixes = [...new Set([env.HOMEBREW_PREFIX, '/opt/homebrew', '/usr/local', '/home/linuxbrew/.linuxbrew'])];
  for (const prefix of brewPrefixes) {
    if (!prefix) continue;
    patterns.push({ parent: join(prefix, 'opt'), entry: /^(postgresql(@\d+(\.\d+)?)?|libpq)$/, suffix: 'bin' });
  }
  patterns.push({ parent: '/Applications/Postgres.app/Contents/Versions', entry: /^(\d+(\.\d+)?|latest)$/, suffix: 'bin' });
  return patterns;
}

async function expand(pattern: DirPattern): Promise<string[]> {
  if (typeof pattern === 'string') return [pattern];
  const entries = await readdir(pattern.parent).catch(() => [] as string[]);
  return entries
    .filter((entry) => pattern.entry.test(entry))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((entry) => join(pattern.parent, entry, pattern.suffix));
}

/** Whether `path` is a file this process may execute. */
export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `<tool> --version` and parses it; undefined when it does not run or say a version. */
export async function probeVersion(toolPath: string): Promise<{ version: string; major: number } | undefined> {
  const result = await runTool(toolPath, ['--version'], { timeoutMs: 15_000, env: childEnv(process.env) });
  return result.exitCode === 0 ? parseClientVersion(result.stdout) : undefined;
}

/**
 * Inspects one folder: the client it holds, or undefined when it holds none Lifeboat can
 * use. A PATH entry often holds symlinks (Homebrew, /usr/local/bin); the client is named by
 * the folder of the real binary, so its tools all share one version.
 */
export async function inspectClientDir(dir: string, platform: PlatformInfo): Promise<PgClientInstallation | undefined> {
  const exe = platform.os === 'win32' ? '.exe' : '';
  let probe: string | undefined;
  for (const tool of ['pg_dump', 'pg_restore'] as const) {
    const path = join(dir, `${tool}${exe}`);
    if (await isExecutable(path)) {
      probe = path;
      break;
    }
  }
  if (!probe) return undefined;
  const real = await realpath(probe).catch(() => probe);
  // Debian's pg_wrapper picks a version per call (newest installed for remote hosts), so a
  // folder of wrappers names no single client; the real ones are under /usr/lib/postgresql.
  if (basename(real, exe) === 'pg_wrapper') return undefined;
  const binDir = dirname(real);
  const tools: Partial<Record<PgTool, string>> = {};
  for (const tool of PG_TOOLS) {
    const path = join(binDir, `${tool}${exe}`);
    if (await isExecutable(path)) tools[tool] = path;
  }
  const parsed = await probeVersion(real);
  if (!parsed) return undefined;
  return { major: parsed.major, version: parsed.version, binDir, tools };
}

/**
 * Finds every PostgreSQL client installed here, one entry per folder of real binaries, in
 * discovery order (PATH first, then the well-known locations).
 */
export async function discoverClients(env: Env, platform: PlatformInfo): Promise<PgClientInstallation[]> {
  const dirs = [...new Set((await Promise.all(clientDirPatterns(env, platform).map(expand))).flat())];
  const found = await Promise.all(dirs.map((dir) => inspectClientDir(dir, platform)));
  const seen = new Set<string>();
  const clients: PgClientInstallation[] = [];
  for (const client of found) {
    if (!client || seen.has(client.binDir)) continue;
    seen.add(client.binDir);
    clients.push(client);
  }
  return clients;
}
