import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FilesPathError } from './errors.js';

/** One thing under the listed paths, as the archive will name it. */
export interface WalkedEntry {
  /** Archive name (relative, `/`-separated). */
  readonly name: string;
  /** Where it is on disk. */
  readonly path: string;
  readonly stats: Stats;
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
}

function typeOf(stats: Stats): WalkedEntry['type'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}

function unreadable(name: string, error: unknown): FilesPathError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FilesPathError(`${name} does not exist under \`files-root\`.`, 'Fix the entry in `paths` (relative to `files-root`, or the working directory when it is empty), or remove it.', { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new FilesPathError(`${name} cannot be read (permission denied).`, 'Run the backup as a user that can read every listed file, or leave that file out of `paths`.', { cause: error });
  return new FilesPathError(`${name} cannot be read: ${(error as Error).message}.`, 'Check the file and the entry in `paths`.', { cause: error });
}

/**
 * Every entry under the listed paths, a folder before what it holds, names in sorted order.
 * Symbolic links are yielded as links, never followed (so nothing outside the listed
 * folders is read); a listed path that does not exist or cannot be read throws naming it.
 */
export async function* walk(root: string, names: readonly string[]): AsyncGenerator<WalkedEntry> {
  for (const name of names) {
    const path = name === '.' ? root : join(root, name);
    let stats: Stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      throw unreadable(name, error);
    }
    yield* visit(name, path, stats);
  }
}

async function* visit(name: string, path: string, stats: Stats): AsyncGenerator<WalkedEntry> {
  const type = typeOf(stats);
  // The root itself (`paths: .`) has no entry of its own; what it holds does.
  if (name !== '.') yield { name, path, stats, type };
  if (type !== 'directory') return;
  let children: string[];
  try {
    children = (await readdir(path)).sort();
  } catch (error) {
    throw unreadable(name, error);
  }
  for (const child of children) {
    const childPath = join(path, child);
    const childName = name === '.' ? child : `${name}/${child}`;
    let childStats: Stats;
    try {
      childStats = await lstat(childPath);
    } catch (error) {
      throw unreadable(childName, error);
    }
    yield* visit(childName, childPath, childStats);
  }
}

/** Wraps an open/read failure of a walked file the same way. */
export function readFailure(name: string, error: unknown): FilesPathError {
  return unreadable(name, error);
}
