import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectPlatform,
  discoverClients,
  parseClientVersion,
  type PgClientInstallation,
  type PlatformInfo,
} from '../../packages/core/src/toolchain/index.js';
import { clientDirPatterns } from '../../packages/core/src/toolchain/discover.js';

let platform: PlatformInfo;
let machine: PgClientInstallation[];
const temps: string[] = [];

beforeAll(async () => {
  platform = await detectPlatform();
  machine = await discoverClients(process.env, platform);
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-clients-'));
  temps.push(dir);
  return dir;
}

describe('discoverClients on this machine', () => {
  it('finds the client that pg_dump on PATH runs, by its real folder', () => {
    // Asked independently of discovery: what the operator's `pg_dump` says it is.
    const onPath = parseClientVersion(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }));
    expect(onPath, 'pg_dump must be on PATH for this test').toBeDefined();
    const match = machine.find((client) => client.version === onPath!.version);
    expect(match, `found: ${JSON.stringify(machine)}`).toBeDefined();
    expect(match!.major).toBe(onPath!.major);
    expect(match!.tools.pg_dump).toBe(join(match!.binDir, 'pg_dump'));
    expect(match!.tools.pg_restore).toBe(join(match!.binDir, 'pg_restore'));
  });

  it('reports for each folder the version its own binaries print, and never a wrapper folder', () => {
    expect(machine.length).toBeGreaterThan(0);
    for (const client of machine) {
      const printed = parseClientVersion(execFileSync(client.tools.pg_dump ?? client.tools.pg_restore!, ['--version'], { encoding: 'utf8' }));
      expect(printed).toEqual({ version: client.version, major: client.major });
      expect(basename(realpathSync(client.tools.pg_dump ?? client.tools.pg_restore!))).not.toBe('pg_wrapper');
      expect(realpathSync(client.binDir)).toBe(client.binDir);
    }
    expect(new Set(machine.map((c) => c.binDir)).size).toBe(machine.length);
  });

  it('follows a symlinked PATH entry to the real folder and lists it once', async () => {
    const real = machine[0]!;
    const linkDir = tempDir();
    symlinkSync(real.tools.pg_dump!, join(linkDir, 'pg_dump'));
    const found = await discoverClients({ PATH: linkDir }, platform);
    expect(found[0]!.binDir).toBe(real.binDir);
    expect(found[0]!.tools.pg_restore).toBe(real.tools.pg_restore);
    expect(found.filter((c) => c.binDir === real.binDir)).toHaveLength(1);
    expect(found.some((c) => c.binDir === linkDir)).toBe(false);
  });

  it('ignores a pg_dump on PATH that fails or is not PostgreSQL', async () => {
    const fake = tempDir();
    writeFileSync(join(fake, 'pg_dump'), '#!/bin/sh\necho "not a database tool"\n');
    chmodSync(join(fake, 'pg_dump'), 0o755);
    const broken = tempDir();
    writeFileSync(join(broken, 'pg_restore'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(broken, 'pg_restore'), 0o755);
    const found = await discoverClients({ PATH: [fake, broken].join(':') }, platform);
    expect(found.map((c) => c.binDir)).not.toContain(fake);
    expect(found.map((c) => c.binDir)).not.toContain(broken);
    // The well-known folders are still searched, and yield only real clients.
    for (const client of found) expect(machine.map((c) => c.binDir)).toContain(client.binDir);
  });
});

describe('clientDirPatterns', () => {
  it('searches PATH first, then Debian, PGDG RPM, Homebrew and Postgres.app folders', () => {
    const patterns = clientDirPatterns({ PATH: '/a:/b', HOMEBREW_PREFIX: '/brew' }, { os: 'darwin', arch: 'arm64' });
    expect(patterns.slice(0, 2)).toEqual(['/a', '/b']);
    const parents = patterns.flatMap((p) => (typeof p === 'string' ? [] : [p.parent]));
    expect(parents).toEqual(
      expect.arrayContaining(['/usr/lib/postgresql', '/usr', '/brew/opt', '/opt/homebrew/opt', '/usr/local/opt', '/Applications/Postgres.app/Contents/Versions']),
    );
    const rpm = patterns.find((p) => typeof p !== 'string' && p.parent === '/usr');
    expect(typeof rpm !== 'string' && rpm!.entry.test('pgsql-17')).toBe(true);
    const brew = patterns.find((p) => typeof p !== 'string' && p.parent === '/brew/opt');
    expect(typeof brew !== 'string' && ['postgresql@16', 'libpq', 'postgresql'].every((e) => brew!.entry.test(e))).toBe(true);
  });

  it('uses the Program Files folders on Windows', () => {
    const patterns = clientDirPatterns({ Path: 'C:\\bin;D:\\tools', ProgramFiles: 'C:\\Program Files' }, { os: 'win32', arch: 'x64' });
    expect(patterns.slice(0, 2)).toEqual(['C:\\bin', 'D:\\tools']);
    expect(patterns.some((p) => typeof p !== 'string' && p.parent.endsWith('PostgreSQL'))).toBe(true);
  });
});
