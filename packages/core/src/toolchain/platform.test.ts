import { describe, expect, it } from 'vitest';
import { installHint, installSupport, parseOsRelease, platformFrom } from './platform.js';

const UBUNTU_2404 = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble
`;
const ROCKY = `NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n`;
const runnerEnv = { GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux', RUNNER_ENVIRONMENT: 'github-hosted' };

describe('platform', () => {
  it('parses os-release, quoted or not', () => {
    expect(parseOsRelease(UBUNTU_2404)).toMatchObject({ ID: 'ubuntu', VERSION_ID: '24.04', ID_LIKE: 'debian', PRETTY_NAME: 'Ubuntu 24.04.1 LTS' });
    expect(platformFrom('linux', 'x64', ROCKY).distro).toEqual({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], versionId: '9.4', codename: undefined });
    expect(platformFrom('darwin', 'arm64', UBUNTU_2404)).toEqual({ os: 'darwin', arch: 'arm64' });
  });

  it('allows installing only on GitHub-hosted Ubuntu runners', () => {
    const ubuntu = platformFrom('linux', 'x64', UBUNTU_2404);
    expect(installSupport(runnerEnv, ubuntu)).toEqual({ possible: true, reason: 'GitHub-hosted Ubuntu runner' });
    expect(installSupport({ ...runnerEnv, RUNNER_ENVIRONMENT: undefined }, ubuntu).possible).toBe(true);
    expect(installSupport({}, ubuntu)).toMatchObject({ possible: false, reason: expect.stringContaining('only inside GitHub Actions') });
    expect(installSupport({ ...runnerEnv, RUNNER_OS: 'macOS' }, { os: 'darwin', arch: 'arm64' })).toMatchObject({
      possible: false,
      reason: expect.stringContaining('only on Linux runners (this is macOS)'),
    });
    expect(installSupport(runnerEnv, platformFrom('linux', 'x64', 'ID=debian\n'))).toMatchObject({
      possible: false,
      reason: expect.stringContaining('only on Ubuntu runners (this is debian)'),
    });
    expect(installSupport({ ...runnerEnv, RUNNER_ENVIRONMENT: 'self-hosted' }, ubuntu)).toMatchObject({
      possible: false,
      reason: expect.stringContaining('self-hosted'),
    });
  });

  it('names the install command of each platform', () => {
    expect(installHint(17, platformFrom('linux', 'x64', UBUNTU_2404))).toBe(
      'sudo apt-get install -y postgresql-common && sudo /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y && sudo apt-get install -y postgresql-client-17',
    );
    expect(installHint(16, platformFrom('linux', 'x64', 'ID=debian\n'))).toContain('postgresql-client-16');
    expect(installHint(16, platformFrom('linux', 'x64', ROCKY))).toContain('dnf install -y postgresql16');
    expect(installHint(16, { os: 'darwin', arch: 'arm64' })).toBe('brew install postgresql@16');
    expect(installHint(16, { os: 'win32', arch: 'x64' })).toContain('PostgreSQL\\16\\bin');
    expect(installHint(16, { os: 'freebsd', arch: 'x64' })).toContain('PostgreSQL 16 client tools');
  });
});
