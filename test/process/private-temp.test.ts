import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrivateTempDir, ownerOf, removePrivateTempDir, sweepStaleTempDirs } from '../../packages/core/src/process/private-temp.js';

const base = mkdtempSync(join(tmpdir(), 'lifeboat-private-temp-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('private temp folders', () => {
  it.each([
    ['lifeboat-drill-p4242-Ab12cD', 4242],
    ['lifeboat-restore-p7-xyzXYZ', 7],
    ['lifeboat-dump-p99-a1b2c3', 99],
    ['lifeboat-upload-p98-a1b2c3', 98],
    ['lifeboat-drill-Ab12cD', undefined],
    ['lifeboat-pg-p4242-Ab12cD', undefined],
    ['lifeboat-drill-p4242-../x', undefined],
    ['other-p4242-abc', undefined],
  ])('%s is owned by %s', (name, pid) => {
    expect(ownerOf(name)).toBe(pid);
  });

  it('are named after this process, private, and removed with their watchdog stood down', async () => {
    const dir = await createPrivateTempDir(base, 'lifeboat-drill-');
    expect(ownerOf(dir.slice(base.length + 1))).toBe(process.pid);
    writeFileSync(join(dir, 'payload'), 'plaintext');
    await removePrivateTempDir(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('sweeps only folders whose owner is gone', async () => {
    const sweep = join(base, 'sweep');
    mkdirSync(sweep);
    for (const name of ['lifeboat-drill-p111-aaaaaa', 'lifeboat-restore-p222-bbbbbb', 'lifeboat-dump-p333-cccccc', 'lifeboat-drill-dddddd', 'lifeboat-pg-p111-eeeeee', `lifeboat-drill-p${process.pid}-ffffff`]) {
      mkdirSync(join(sweep, name));
      writeFileSync(join(sweep, name, 'payload'), 'plaintext');
    }
    writeFileSync(join(sweep, 'lifeboat-drill-p111-file'), 'not a folder');
    const alive = new Set([222]);
    const removed = await sweepStaleTempDirs(sweep, (pid) => alive.has(pid));
    expect(removed.map((p) => p.slice(sweep.length + 1)).sort()).toEqual(['lifeboat-drill-p111-aaaaaa', 'lifeboat-dump-p333-cccccc']);
    expect(readdirSync(sweep).sort()).toEqual(['lifeboat-drill-dddddd', 'lifeboat-drill-p111-file', `lifeboat-drill-p${process.pid}-ffffff`, 'lifeboat-pg-p111-eeeeee', 'lifeboat-restore-p222-bbbbbb'].sort());
  });

  it('sweeps nothing from a folder that does not exist', async () => {
    expect(await sweepStaleTempDirs(join(base, 'missing'))).toEqual([]);
  });
});
