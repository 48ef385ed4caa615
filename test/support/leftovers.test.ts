import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leftoversSince, lifeboatEntries } from './leftovers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the leftover check of the test teardown', () => {
  it('reports Lifeboat folders, dumps and keys that appeared, and nothing that was there or is not ours', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leftover-check-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'lifeboat-drill-p1-old'));
    const before = lifeboatEntries(dir);
    mkdirSync(join(dir, 'lifeboat-restore-p2-abc'));
    writeFileSync(join(dir, 'db.pgdump'), 'plaintext');
    writeFileSync(join(dir, 'private-key.asc'), 'key');
    writeFileSync(join(dir, 'node-compile-cache'), '');
    expect(leftoversSince(before, dir)).toEqual(['db.pgdump', 'lifeboat-restore-p2-abc', 'private-key.asc']);
  });
});
