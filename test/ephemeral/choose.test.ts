import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseEphemeralPostgres,
  dockerWorthProbing,
  isLinuxRunner,
  type DockerStatus,
  type EphemeralChoice,
  type ServerInstallation,
} from '../../packages/core/src/engines/postgres/ephemeral/index.js';
import type { PlatformInfo } from '../../packages/core/src/toolchain/platform.js';

const debian: PlatformInfo = { os: 'linux', arch: 'x64', distro: { id: 'debian', idLike: [], versionId: '12' } };
const mac: PlatformInfo = { os: 'darwin', arch: 'arm64' };
const up: DockerStatus = { available: true, serverVersion: '27.3.1' };
const noEngine: DockerStatus = { available: false, why: 'no-engine', detail: 'Cannot connect to the Docker daemon' };
const noClient: DockerStatus = { available: false, why: 'no-client', detail: 'docker is not installed (not on PATH)' };

function local(...majors: number[]): ServerInstallation[] {
  return majors.map((major) => ({ major, version: `${major}.4`, binDir: `/usr/lib/postgresql/${major}/bin` }));
}

/** A compact picture of a choice for the table: `local 15`, `local 15 (note)`, `docker postgres:16`, `refuse`. */
function summary(choice: EphemeralChoice): string {
  switch (choice.kind) {
    case 'local':
      return `local ${choice.installation.major}${choice.note ? ' (note)' : ''}`;
    case 'docker':
      return `docker ${choice.image}`;
    case 'refuse':
      return 'refuse';
  }
}

describe('chooseEphemeralPostgres', () => {
  it.each([
    // needed, installed,  Linux runner, docker,   → choice
    [15, local(15), false, undefined, 'local 15'],
    [15, local(17, 15, 14), false, undefined, 'local 15'],
    [15, local(15), true, up, 'local 15'], // local binaries beat a container
    [16, local(15), true, up, 'docker postgres:16'],
    [14, local(15), true, up, 'docker postgres:14'], // the exact major beats a newer local one
    [14, local(15), false, undefined, 'local 15 (note)'],
    [14, local(17, 15), false, undefined, 'local 15 (note)'], // the nearest newer major
    [14, local(15), true, noEngine, 'local 15 (note)'],
    [16, local(15), true, noEngine, 'refuse'],
    [16, local(15), true, noClient, 'refuse'],
    [15, local(14), false, undefined, 'refuse'], // never an older major
    [15, local(14, 13), true, noEngine, 'refuse'],
    [16, local(), false, undefined, 'refuse'],
    [16, local(15), false, up, 'refuse'], // containers only on Linux runners
    [18, local(), true, up, 'docker postgres:18'],
  ] as const)('needs %i, has %j, runner %s, docker %j → %s', (major, installations, linuxRunner, docker, expected) => {
    expect(summary(chooseEphemeralPostgres({ major, installations, linuxRunner, docker, platform: debian }))).toBe(expected);
  });

  it('a newer major says so in a note', () => {
    const choice = chooseEphemeralPostgres({ major: 14, installations: local(16), linuxRunner: false, platform: debian });
    expect(choice).toMatchObject({
      kind: 'local',
      note: 'No PostgreSQL 14 server here; the backup is restored into PostgreSQL 16.4 instead (a newer major restores older dumps).',
    });
  });

  it('a refusal says what was found and both ways out', () => {
    const choice = chooseEphemeralPostgres({ major: 16, installations: local(15), linuxRunner: true, docker: noEngine, platform: debian });
    if (choice.kind !== 'refuse') throw new Error(`expected a refusal, got ${summary(choice)}`);
    expect(choice.reason).toBe(
      'The backup needs a PostgreSQL 16 (or newer) server to restore into; this machine has only PostgreSQL 15.4, older than the backup, and docker cannot start a container (Cannot connect to the Docker daemon).',
    );
    expect(choice.fix).toContain('postgresql-16');
    expect(choice.fix).toContain('`services: postgres` container (image postgres:16)');
    expect(choice.fix).toContain('`target-database-url`');
    const offRunner = chooseEphemeralPostgres({ major: 16, installations: [], linuxRunner: false, platform: mac });
    expect(offRunner).toMatchObject({ kind: 'refuse', reason: expect.stringContaining('no server binaries, and Lifeboat starts containers only on Linux GitHub runners') });
    expect((offRunner as { fix: string }).fix).toContain('brew install postgresql@16');
  });

  it('never chooses an older major, always the exact one when available, and containers only on runners', () => {
    const status = fc.constantFrom<DockerStatus | undefined>(undefined, up, noEngine, noClient);
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 19 }), fc.uniqueArray(fc.integer({ min: 10, max: 19 }), { maxLength: 5 }), fc.boolean(), status, (major, majors, linuxRunner, docker) => {
        const installations = local(...majors);
        const choice = chooseEphemeralPostgres({ major, installations, linuxRunner, docker, platform: debian });
        if (choice.kind === 'local') {
          expect(choice.installation.major).toBeGreaterThanOrEqual(major);
          expect(choice.note === undefined).toBe(choice.installation.major === major);
        }
        if (majors.includes(major)) expect(choice).toMatchObject({ kind: 'local', installation: { major } });
        if (choice.kind === 'docker') {
          expect(choice.image).toBe(`postgres:${major}`);
          expect(linuxRunner && docker?.available).toBe(true);
        }
        if (choice.kind === 'refuse') expect(majors.every((m) => m < major)).toBe(true);
      }),
    );
  });
});

describe('when docker matters', () => {
  it.each([
    [{ GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux' }, debian, true],
    [{ GITHUB_ACTIONS: 'true', RUNNER_OS: 'macOS' }, mac, false],
    [{ GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux' }, mac, false],
    [{ RUNNER_OS: 'Linux' }, debian, false],
    [{}, debian, false],
  ])('env %j on %j is a Linux runner: %s', (env, platform, expected) => {
    expect(isLinuxRunner(env, platform)).toBe(expected);
  });

  it('docker is probed only on a runner lacking the exact local major', () => {
    expect(dockerWorthProbing({ major: 16, installations: local(15), linuxRunner: true, platform: debian })).toBe(true);
    expect(dockerWorthProbing({ major: 15, installations: local(15), linuxRunner: true, platform: debian })).toBe(false);
    expect(dockerWorthProbing({ major: 16, installations: local(15), linuxRunner: false, platform: debian })).toBe(false);
  });
});
