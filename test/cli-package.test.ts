/**
 * The `lifeboat` CLI as a user installs it: `npm pack` of packages/cli (its prepack bundles the
 * command), installed globally into a fresh prefix from that tarball alone (offline: nothing
 * may come from a registry or a workspace), then run: `--version`, a demo backup and drill,
 * and the same through `npx`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFEBOAT_VERSION } from '@lifeboat/core';
import { repoRoot } from './support/node24.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'lifeboat-cli-package-'));
const prefix = join(work, 'prefix');

/** The environment of a user's shell: no npm settings inherited from the test runner, a private npm cache. */
const userEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'))),
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

let tarball: string;
let packed: { filename: string; files: { path: string }[] };

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: join(repoRoot, 'packages', 'cli'),
    env: userEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  // prepack's own output precedes the JSON document.
  const json = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  packed = json[0]!;
  tarball = join(work, packed.filename.replace(/^@/, '').replace('/', '-'));
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the lifeboat npm package', () => {
  it('holds the bundled command and a package.json with nothing to install', async () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('package.json');
    expect(paths.filter((p) => !p.startsWith('dist/') && p !== 'package.json')).toEqual([]);
    const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
    const manifest = JSON.parse(stdout) as Record<string, unknown>;
    expect(manifest.version).toBe(LIFEBOAT_VERSION);
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ lifeboat: './dist/index.js' });
    expect(manifest.engines).toEqual(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).engines);
  });

  it('installs with npm install -g from the tarball alone and runs --version and a demo backup and drill', async () => {
    await run('npm', ['install', '--global', '--offline', '--prefix', prefix, tarball], { cwd: work, env: userEnv });
    const lifeboat = join(prefix, 'bin', 'lifeboat');
    const version = await run(lifeboat, ['--version'], { cwd: work, env: userEnv });
    expect(version.stdout.trim()).toBe(LIFEBOAT_VERSION);

    const demo = await run(lifeboat, ['demo', '--demo-dir', join(work, 'demo')], { cwd: work, env: userEnv, maxBuffer: 16 * 1024 * 1024 });
    expect(demo.stdout).toContain('## Lifeboat backup');
    expect(demo.stdout).toContain('## Lifeboat restore drill: ✅ pass');
    expect(demo.stdout).toContain(`lifeboat ${LIFEBOAT_VERSION}`);
  }, 300_000);

  it('runs with npx from the tarball', async () => {
    const { stdout } = await run('npx', ['--offline', '--yes', '--package', tarball, '--', 'lifeboat', '--version'], { cwd: work, env: userEnv });
    expect(stdout.trim()).toBe(LIFEBOAT_VERSION);
  }, 120_000);
});
