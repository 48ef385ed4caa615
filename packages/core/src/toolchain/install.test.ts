import { describe, expect, it } from 'vitest';
import { cachedInstallCommands, clientCacheDir, clientCacheKey, clientCachePaths, networkInstallCommands } from './install.js';
import { PGDG_SETUP_SCRIPT, platformFrom } from './platform.js';

const noble = platformFrom('linux', 'x64', 'ID=ubuntu\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n');
const jammy = platformFrom('linux', 'x64', 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n');
const nobleArm = platformFrom('linux', 'arm64', 'ID=ubuntu\nVERSION_ID="24.04"\n');

function argv(command: { file: string; args: readonly string[] }): string {
  return [command.file, ...command.args].join(' ');
}

describe('client installation commands', () => {
  it('enables the PGDG repository with the script postgresql-common ships, then downloads and installs the client', () => {
    const commands = networkInstallCommands({ major: 17, debDir: '/cache/17', asRoot: false, setupScriptPresent: true }).map(argv);
    expect(commands).toEqual([
      `sudo -n env DEBIAN_FRONTEND=noninteractive ${PGDG_SETUP_SCRIPT} -y`,
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --download-only -o Dir::Cache::archives=/cache/17 postgresql-client-17',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o Dir::Cache::archives=/cache/17 postgresql-client-17',
    ]);
  });

  it('installs postgresql-common first when the setup script is missing, and skips sudo as root', () => {
    const commands = networkInstallCommands({ major: 16, debDir: '/c', asRoot: true, setupScriptPresent: false }).map(argv);
    expect(commands[0]).toBe('env DEBIAN_FRONTEND=noninteractive apt-get update');
    expect(commands[1]).toBe('env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-common');
    expect(commands[2]).toBe(`env DEBIAN_FRONTEND=noninteractive ${PGDG_SETUP_SCRIPT} -y`);
    expect(commands.every((c) => !c.startsWith('sudo'))).toBe(true);
    expect(commands.at(-1)).toContain('postgresql-client-16');
  });

  it('names no repository host: the setup script owns it', () => {
    const all = [
      ...networkInstallCommands({ major: 17, debDir: '/c', asRoot: false, setupScriptPresent: false }),
      ...cachedInstallCommands({ debFiles: ['/c/a.deb'], asRoot: false }),
    ].flatMap((c) => [c.file, ...c.args]);
    // The script's own file name is the one place a host-like word appears.
    expect(all.filter((arg) => arg !== PGDG_SETUP_SCRIPT && /https?:|\.org|\.com|\.net/.test(arg))).toEqual([]);
  });

  it('installs cached package files by path, and does nothing without any', () => {
    expect(cachedInstallCommands({ debFiles: ['/c/libpq5.deb', '/c/postgresql-client-17.deb'], asRoot: false }).map(argv)).toEqual([
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /c/libpq5.deb /c/postgresql-client-17.deb',
    ]);
    expect(cachedInstallCommands({ debFiles: [], asRoot: true })).toEqual([]);
  });
});

describe('client package cache', () => {
  it('keys by major, Ubuntu release and CPU', () => {
    expect(clientCacheKey(17, noble)).toBe('lifeboat-postgresql-client-17-ubuntu-24.04-x64');
    const keys = new Set([clientCacheKey(17, noble), clientCacheKey(16, noble), clientCacheKey(17, jammy), clientCacheKey(17, nobleArm)]);
    expect(keys.size).toBe(4);
  });

  it('keeps the packages in a stable folder per major, so save and restore use the same paths', () => {
    const env = { RUNNER_TOOL_CACHE: '/tools', RUNNER_TEMP: '/tmp/run-1' };
    expect(clientCacheDir(17, env)).toBe('/tools/lifeboat/postgresql-client-debs/17');
    expect(clientCacheDir(17, env)).toBe(clientCacheDir(17, { ...env, RUNNER_TEMP: '/tmp/run-2' }));
    expect(clientCacheDir(16, env)).not.toBe(clientCacheDir(17, env));
    expect(clientCacheDir(17, { RUNNER_TEMP: '/tmp/run-1' })).toBe('/tmp/run-1/lifeboat/postgresql-client-debs/17');
    expect(clientCachePaths('/tools/x')).toEqual(['/tools/x/*.deb']);
  });
});
