import { delimiter, join } from 'node:path';
import { childEnv } from '../process/child-env.js';
import { runTool } from '../process/spawn-tool.js';
import { isExecutable } from '../toolchain/discover.js';

/** A GnuPG binary this machine has. */
export interface GpgBinary {
  /** Absolute path of the `gpg` executable. */
  readonly path: string;
  /** Version as it prints it, e.g. `2.2.40`. */
  readonly version: string;
}

/** Oldest GnuPG whose options and status lines the gpg decryption path relies on. */
const MIN_VERSION: readonly [number, number] = [2, 2];

const found = new Map<string, Promise<GpgBinary | undefined>>();

/**
 * Finds GnuPG 2.2 or newer on `PATH` (`gpg`, then `gpg2`), checking its version once per
 * PATH; undefined when there is none (then openpgp.js decrypts). Not on Windows, where
 * passing descriptors to gpg works differently.
 */
export function findGpg(env: Record<string, string | undefined> = process.env): Promise<GpgBinary | undefined> {
  if (process.platform === 'win32') return Promise.resolve(undefined);
  const path = env.PATH ?? '';
  let pending = found.get(path);
  if (!pending) {
    pending = search(path);
    found.set(path, pending);
  }
  return pending;
}

async function search(path: string): Promise<GpgBinary | undefined> {
  for (const name of ['gpg', 'gpg2']) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const candidate = join(dir, name);
      if (!(await isExecutable(candidate))) continue;
      const version = await probe(candidate, path);
      if (version && atLeast(version, MIN_VERSION)) return { path: candidate, version };
    }
  }
  return undefined;
}

/** `gpg --version`'s first line names GnuPG and its version: `gpg (GnuPG) 2.2.40`. */
export function parseGpgVersion(text: string): string | undefined {
  return /^gpg \(GnuPG[^)]*\) (\d+\.\d+(?:\.\d+)?)/m.exec(text)?.[1];
}

async function probe(gpg: string, path: string): Promise<string | undefined> {
  const result = await runTool(gpg, ['--version'], { timeoutMs: 10_000, env: childEnv({ PATH: path }, { LC_ALL: 'C' }) });
  return result.exitCode === 0 ? parseGpgVersion(result.stdout) : undefined;
}

function atLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
