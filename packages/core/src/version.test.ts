import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFEBOAT_VERSION } from './version.js';

describe('LIFEBOAT_VERSION', () => {
  it('is the version of every package', () => {
    for (const path of ['../../../package.json', '../package.json', '../../cli/package.json']) {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string };
      expect(pkg.version, path).toBe(LIFEBOAT_VERSION);
    }
  });
});
