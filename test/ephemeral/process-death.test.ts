import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdServer, isRunning } from './support/processes.js';

// A process that dies without stopping its throwaway server (killed, or exiting) still
// leaves nothing behind: the exit hook and the watchdog clean up.
let work: string;
const children: number[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lifeboat-eph-death-'));
  chmodSync(work, 0o755);
});
afterAll(() => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as expected.
    }
  }
  rmSync(work, { recursive: true, force: true });
});

describe('a process that dies without stop()', () => {
  for (const mode of ['hold', 'exit'] as const) {
    it(`${mode === 'hold' ? 'killed with SIGKILL' : 'exiting normally'}: the local server stops and its folder is removed`, async () => {
      const tempDir = mkdtempSync(join(work, 'temp-'));
      chmodSync(tempDir, 0o755);
      const { child, handle } = await holdServer(['local', mode, tempDir]);
      children.push(child.pid!);
      const pid = handle.pid as number;
      const rootDir = handle.rootDir as string;
      expect(isRunning(pid)).toBe(true);
      expect(existsSync(rootDir)).toBe(true);
      if (mode === 'hold') child.kill('SIGKILL');
      await expect.poll(() => isRunning(pid), { timeout: 30_000, interval: 200 }).toBe(false);
      await expect.poll(() => existsSync(rootDir), { timeout: 30_000, interval: 200 }).toBe(false);
    });
  }

  it('killed with SIGKILL while a container starts: the container is removed', async () => {
    const log = join(work, 'docker-calls.log');
    const fakeDocker = join(work, 'docker-recorder');
    // The log path is in the script: the docker client gets only its allow-listed environment.
    writeFileSync(fakeDocker, `#!/bin/sh\necho "$@" >> '${log}'\n`, { mode: 0o755 });
    const { child, handle } = await holdServer(['docker', 'hold', fakeDocker]);
    children.push(child.pid!);
    expect(handle.name).toMatch(/^lifeboat-pg-[0-9a-f]+$/);
    expect(existsSync(log)).toBe(false); // nothing removed while the process lives
    child.kill('SIGKILL');
    await expect.poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : ''), { timeout: 30_000, interval: 200 }).toContain(
      `rm --force --volumes ${handle.name as string}`,
    );
  });
});
