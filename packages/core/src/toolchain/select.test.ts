import { describe, expect, it } from 'vitest';
import type { PgClientInstallation } from './discover.js';
import type { InstallSupport, PlatformInfo } from './platform.js';
import { clientCompat, idealMajor, selectPostgresClient, type ClientDecision, type ClientRequest } from './select.js';

const debian: PlatformInfo = { os: 'linux', arch: 'x64', distro: { id: 'debian', idLike: [], versionId: '12', codename: 'bookworm' } };
const ubuntuRunner: PlatformInfo = { os: 'linux', arch: 'x64', distro: { id: 'ubuntu', idLike: ['debian'], versionId: '24.04' } };
const mac: PlatformInfo = { os: 'darwin', arch: 'arm64' };
const noInstall: InstallSupport = { possible: false, reason: 'Lifeboat installs PostgreSQL clients only inside GitHub Actions' };
const canInstall: InstallSupport = { possible: true, reason: 'GitHub-hosted Ubuntu runner' };

function client(major: number, tools: ('pg_dump' | 'pg_restore' | 'psql')[] = ['pg_dump', 'pg_restore', 'psql']): PgClientInstallation {
  const binDir = `/opt/pg/${major}/bin`;
  return { major, version: `${major}.3`, binDir, tools: Object.fromEntries(tools.map((t) => [t, `${binDir}/${t}`])) };
}

function request(overrides: Partial<ClientRequest>): ClientRequest {
  return { purpose: 'dump', serverMajor: 15, installed: [], install: noInstall, platform: debian, ...overrides };
}

function expectUse(decision: ClientDecision, major: number) {
  expect(decision.kind, JSON.stringify(decision)).toBe('use');
  if (decision.kind !== 'use') throw new Error('unreachable');
  expect(decision.client.major).toBe(major);
  return decision;
}

function expectInstall(decision: ClientDecision, major: number) {
  expect(decision.kind, JSON.stringify(decision)).toBe('install');
  if (decision.kind !== 'install') throw new Error('unreachable');
  expect(decision.major).toBe(major);
  return decision;
}

function expectRefuse(decision: ClientDecision, code: string) {
  expect(decision.kind, JSON.stringify(decision)).toBe('refuse');
  if (decision.kind !== 'refuse') throw new Error('unreachable');
  expect(decision.code).toBe(code);
  return decision;
}

describe('selectPostgresClient for a dump', () => {
  it('uses the client of the same major as the server', () => {
    const decision = expectUse(selectPostgresClient(request({ serverMajor: 15, installed: [client(15)] })), 15);
    expect(decision.client.binDir).toBe('/opt/pg/15/bin');
    expect(decision.notes[0]).toContain('same major as the server');
    expect(decision.compat).toEqual({ emitsTransactionTimeout: false, stripTransactionTimeout: false });
  });

  it('prefers the same major over a newer one found first', () => {
    expectUse(selectPostgresClient(request({ serverMajor: 15, installed: [client(17), client(16), client(15)] })), 15);
  });

  it('refuses a server newer than every client, saying why and how to install the right one', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 17, installed: [client(15)] })), 'client-too-old');
    expect(decision.reason).toContain('pg_dump here is 15.3');
    expect(decision.reason).toContain('older than the server (PostgreSQL 17)');
    expect(decision.reason).toContain('server version mismatch');
    expect(decision.fix).toContain('apt.postgresql.org.sh -y');
    expect(decision.fix).toContain('apt-get install -y postgresql-client-17');
    expect(decision.fix).toContain('only inside GitHub Actions');
  });

  it('installs the server major on a GitHub Ubuntu runner when only an older client exists, with no fallback', () => {
    const decision = expectInstall(
      selectPostgresClient(request({ serverMajor: 17, installed: [client(16)], install: canInstall, platform: ubuntuRunner })),
      17,
    );
    expect(decision.fallback).toBeUndefined();
    expect(decision.compat.emitsTransactionTimeout).toBe(true);
    expect(decision.compat.stripTransactionTimeout).toBe(false);
  });

  it('uses a newer client for an older server when it cannot install, and says what that means for restores', () => {
    const decision = expectUse(selectPostgresClient(request({ serverMajor: 14, installed: [client(15)] })), 15);
    expect(decision.notes.join(' ')).toContain('newer pg_dump can dump PostgreSQL 14');
    expect(decision.notes.join(' ')).toContain('needs pg_restore 15 or newer');
    expect(decision.compat.emitsTransactionTimeout).toBe(false);
  });

  it('flags SET transaction_timeout when a client >= 17 dumps a server < 17', () => {
    const decision = expectUse(selectPostgresClient(request({ serverMajor: 16, installed: [client(17)] })), 17);
    expect(decision.compat).toEqual({ emitsTransactionTimeout: true, stripTransactionTimeout: false });
    expect(decision.notes.join(' ')).toContain('SET transaction_timeout');
  });

  it('picks the closest newer client among several', () => {
    expectUse(selectPostgresClient(request({ serverMajor: 13, installed: [client(17), client(15), client(16)] })), 15);
  });

  it('installs the server major on a runner even when a newer client exists, keeping it as fallback', () => {
    const decision = expectInstall(
      selectPostgresClient(request({ serverMajor: 14, installed: [client(16), client(15)], install: canInstall, platform: ubuntuRunner })),
      14,
    );
    expect(decision.fallback?.major).toBe(15);
    expect(decision.notes.join(' ')).toContain('If the install fails, pg_dump 15.3');
  });

  it('refuses with the install command when no client exists at all', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 16, installed: [] })), 'client-missing');
    expect(decision.reason).toContain('No pg_dump is installed here');
    expect(decision.fix).toContain('postgresql-client-16');
  });

  it('names the Homebrew formula on macOS', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 16, installed: [], platform: mac })), 'client-missing');
    expect(decision.fix).toContain('brew install postgresql@16');
  });

  it('installs when no client exists on a runner', () => {
    expectInstall(selectPostgresClient(request({ serverMajor: 16, installed: [], install: canInstall, platform: ubuntuRunner })), 16);
  });

  it('ignores folders without pg_dump', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 15, installed: [client(15, ['pg_restore'])] })), 'client-missing');
    expect(decision.reason).toContain('No pg_dump');
  });
});

describe('selectPostgresClient with postgres-client-version', () => {
  it('honours an override newer than the server', () => {
    const decision = expectUse(selectPostgresClient(request({ serverMajor: 15, override: 17, installed: [client(15), client(17)] })), 17);
    expect(decision.notes[0]).toContain('postgres-client-version asks for it');
  });

  it('refuses an override older than the server, even when that client is installed', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 17, override: 15, installed: [client(15), client(17)] })), 'client-too-old');
    expect(decision.reason).toContain('postgres-client-version 15 is older than the server (PostgreSQL 17)');
    expect(decision.fix).toContain('Set postgres-client-version to 17 or newer');
  });

  it('installs an override that is missing on a runner', () => {
    expectInstall(selectPostgresClient(request({ serverMajor: 15, override: 16, installed: [client(15)], install: canInstall, platform: ubuntuRunner })), 16);
  });

  it('refuses an override that is missing where it cannot install', () => {
    const decision = expectRefuse(selectPostgresClient(request({ serverMajor: 15, override: 16, installed: [client(15)] })), 'client-missing');
    expect(decision.reason).toContain('asks for pg_dump 16, which is not installed here (found: 15.3 in /opt/pg/15/bin)');
    expect(decision.fix).toContain('postgresql-client-16');
    expect(decision.fix).toContain('leave postgres-client-version empty');
  });

  it('accepts an override equal to the server', () => {
    expectUse(selectPostgresClient(request({ serverMajor: 16, override: 16, installed: [client(17), client(16)] })), 16);
  });
});

describe('selectPostgresClient for a restore', () => {
  const restore = (overrides: Partial<ClientRequest>) => request({ purpose: 'restore', ...overrides });

  it('uses the target major when the archive came from the same major', () => {
    const decision = expectUse(selectPostgresClient(restore({ serverMajor: 15, archiveMajor: 15, installed: [client(15)] })), 15);
    expect(decision.compat.stripTransactionTimeout).toBe(false);
  });

  it('needs pg_restore at least as new as the archive, and flags the strip for a target < 17', () => {
    const decision = expectUse(selectPostgresClient(restore({ serverMajor: 16, archiveMajor: 17, installed: [client(16), client(17)] })), 17);
    expect(decision.compat).toEqual({ emitsTransactionTimeout: true, stripTransactionTimeout: true });
    expect(decision.notes.join(' ')).toContain('PostgreSQL 16 rejects');
  });

  it('refuses a pg_restore older than the pg_dump that wrote the archive', () => {
    const decision = expectRefuse(selectPostgresClient(restore({ serverMajor: 17, archiveMajor: 17, installed: [client(16)] })), 'client-too-old');
    expect(decision.reason).toContain('older than the pg_dump 17 that wrote this backup');
    expect(decision.reason).toContain('unsupported version in file header');
    expect(decision.fix).toContain('postgresql-client-17');
  });

  it('uses a pg_restore older than the target when it can read the archive', () => {
    const decision = expectUse(selectPostgresClient(restore({ serverMajor: 17, archiveMajor: 15, installed: [client(15)] })), 15);
    expect(decision.compat.stripTransactionTimeout).toBe(false);
  });

  it('avoids a client that would need SET transaction_timeout stripped when another one fits', () => {
    const decision = expectUse(selectPostgresClient(restore({ serverMajor: 16, archiveMajor: 15, installed: [client(17), client(15)] })), 15);
    expect(decision.compat.stripTransactionTimeout).toBe(false);
  });

  it('installs the target major on a runner, keeping an installed reader as fallback', () => {
    const decision = expectInstall(
      selectPostgresClient(restore({ serverMajor: 17, archiveMajor: 15, installed: [client(15)], install: canInstall, platform: ubuntuRunner })),
      17,
    );
    expect(decision.fallback?.major).toBe(15);
  });

  it('refuses a target older than the server the backup came from', () => {
    const decision = expectRefuse(
      selectPostgresClient(restore({ serverMajor: 15, archiveMajor: 17, sourceMajor: 17, installed: [client(17)] })),
      'target-too-old',
    );
    expect(decision.reason).toContain('PostgreSQL 15, older than the PostgreSQL 17');
    expect(decision.fix).toContain('postgres:17');
    expect(decision.majors).toEqual({ source: 17, target: 15 });
  });

  it('refuses an override older than the archive', () => {
    const decision = expectRefuse(selectPostgresClient(restore({ serverMajor: 17, archiveMajor: 17, override: 16, installed: [client(16)] })), 'client-too-old');
    expect(decision.reason).toContain('pg_restore 16 cannot read its archive');
  });

  it('prefers the target major when the archive major is unknown', () => {
    expectUse(selectPostgresClient(restore({ serverMajor: 16, installed: [client(15), client(16), client(17)] })), 16);
  });

  it('refuses with the install command when no pg_restore exists', () => {
    const decision = expectRefuse(selectPostgresClient(restore({ serverMajor: 16, archiveMajor: 15, installed: [client(16, ['pg_dump'])] })), 'client-missing');
    expect(decision.reason).toContain('No pg_restore');
    expect(decision.fix).toContain('postgresql-client-16');
  });
});

describe('clientCompat and idealMajor', () => {
  it.each([
    ['dump', 16, 16, false, false],
    ['dump', 17, 16, true, false],
    ['dump', 18, 18, true, false],
    ['restore', 17, 16, true, true],
    ['restore', 17, 17, true, false],
    ['restore', 16, 15, false, false],
  ] as const)('%s with client %i into server %i → emits %s, strip %s', (purpose, clientMajor, serverMajor, emits, strip) => {
    expect(clientCompat(purpose, clientMajor, serverMajor)).toEqual({ emitsTransactionTimeout: emits, stripTransactionTimeout: strip });
  });

  it('aims at the server for a dump and at max(target, archive) for a restore', () => {
    expect(idealMajor({ purpose: 'dump', serverMajor: 14 })).toBe(14);
    expect(idealMajor({ purpose: 'restore', serverMajor: 16, archiveMajor: 17 })).toBe(17);
    expect(idealMajor({ purpose: 'restore', serverMajor: 17, archiveMajor: 15 })).toBe(17);
    expect(idealMajor({ purpose: 'restore', serverMajor: 15 })).toBe(15);
  });
});
