import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/node24.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.map((p) => relative(dir, p)).sort();
}

const fresh = mkdtempSync(join(tmpdir(), 'lifeboat-dist-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

describe('committed dist/', () => {
  it('equals a fresh build of the current sources', { timeout: 600_000 }, () => {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    execFileSync(process.execPath, ['scripts/build-dist.mjs', '--out', fresh], { cwd: repoRoot, stdio: 'inherit' });
    const actions = readdirSync(fresh).sort();
    expect(actions).toEqual(['backup', 'backup-gate', 'canister-export', 'restore-drill']);
    const stale: string[] = [];
    for (const action of actions) {
      const committed = join(repoRoot, 'actions', action, 'dist');
      const built = join(fresh, action);
      const builtFiles = listFiles(built);
      let committedFiles: string[] = [];
      try {
        committedFiles = listFiles(committed);
      } catch {
        stale.push(`actions/${action}/dist is missing`);
        continue;
      }
      if (builtFiles.join('\n') !== committedFiles.join('\n')) stale.push(`actions/${action}/dist has different files`);
      for (const file of builtFiles) {
        if (!committedFiles.includes(file)) continue;
        if (!readFileSync(join(built, file)).equals(readFileSync(join(committed, file)))) {
          stale.push(`actions/${action}/dist/${file} differs`);
        }
      }
    }
    expect(stale, 'run `npm run build` and commit actions/*/dist').toEqual([]);
  });
});
