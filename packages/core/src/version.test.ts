import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFEBOAT_VERSION } from './version.js';

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
}

const root = new URL('../../../', import.meta.url);
const packageFiles = [
  'package.json',
  'packages/core/package.json',
  'packages/cli/package.json',
  ...readdirSync(new URL('actions/', root)).map((name) => `actions/${name}/package.json`),
];

describe('LIFEBOAT_VERSION', () => {
  it.each(packageFiles)('is the version of %s, and of the core it depends on', (path) => {
    const pkg = JSON.parse(readFileSync(new URL(path, root), 'utf8')) as PackageJson;
    expect(pkg.version).toBe(LIFEBOAT_VERSION);
    const core = pkg.dependencies?.['@lifeboat/core'];
    if (core !== undefined) expect(core).toBe(LIFEBOAT_VERSION);
  });

  it('has a CHANGELOG section, and nothing released under Unreleased', () => {
    const changelog = readFileSync(new URL('CHANGELOG.md', root), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## \\[${LIFEBOAT_VERSION.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    const unreleased = /^## \[Unreleased\]\n([\s\S]*?)^## /m.exec(changelog);
    expect(unreleased, 'an Unreleased section above the releases').not.toBeNull();
  });
});
