/**
 * The resolver's install branch. apt and the Actions cache exist only on GitHub's Ubuntu
 * runners, so these tests use a stand-in ToolchainHost that reports an Ubuntu runner and
 * whose `install` either fails the way apt does or "installs" by revealing a client that
 * discovery really finds on this machine. Discovery itself is always the real one.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../packages/core/src/context.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import {
  ClientInstallError,
  detectPlatform,
  discoverClients,
  platformFrom,
  resolvePostgresClient,
  type PgClientInstallation,
  type ToolchainHost,
} from '../../packages/core/src/toolchain/index.js';

const ubuntuRunner = platformFrom('linux', 'x64', 'ID=ubuntu\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n');
const runnerEnv = { PATH: process.env.PATH, GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux', RUNNER_ENVIRONMENT: 'github-hosted' };
let machine: PgClientInstallation[];
let installs: number[] = [];

beforeAll(async () => {
  machine = await discoverClients(process.env, await detectPlatform());
});
afterEach(() => {
  installs = [];
});

/** A runner whose apt fails, or whose install makes `hidden` majors appear. */
function standInRunner(options: { installFails?: boolean; hidden?: number[] } = {}): ToolchainHost {
  let revealed = false;
  return {
    platform: async () => ubuntuRunner,
    discover: async (env, platform) => {
      const found = await discoverClients(env, platform);
      return revealed ? found : found.filter((c) => !(options.hidden ?? []).includes(c.major));
    },
    install: async (major) => {
      installs.push(major);
      if (options.installFails) {
        throw new ClientInstallError('Installing the PostgreSQL client failed: `apt-get install` exited with 100: E: Unable to locate package.', 'Retry.');
      }
      revealed = true;
    },
  };
}

function runner() {
  const reporter = new MemoryReporter();
  return { reporter, context: createContext(reporter, 'action', runnerEnv) };
}

describe('resolvePostgresClient on a GitHub-hosted Ubuntu runner (stand-in host)', () => {
  it('installs the server major when no client has it, then uses the installed one', async () => {
    const major = machine[0]!.major;
    const { context, reporter } = runner();
    const client = await resolvePostgresClient({ purpose: 'dump', serverMajor: major, context }, standInRunner({ hidden: [major] }));
    expect(installs).toEqual([major]);
    expect(client.installed).toBe(true);
    expect(client.major).toBe(major);
    expect(client.binDir).toBe(machine[0]!.binDir);
    expect(reporter.text()).toContain(`Installing the PostgreSQL ${major} client (GitHub-hosted Ubuntu runner)`);
  });

  it('fails with the install error when no installed client could stand in', async () => {
    const newest = Math.max(...machine.map((c) => c.major));
    const { context } = runner();
    const error = await resolvePostgresClient({ purpose: 'dump', serverMajor: newest + 1, context }, standInRunner({ installFails: true })).catch((e: unknown) => e);
    expect(installs).toEqual([newest + 1]);
    expect(error).toBeInstanceOf(ClientInstallError);
    expect((error as ClientInstallError).code).toBe('postgres-client-install-failed');
  });

  it('falls back to a newer installed client when installing the server major fails, with a warning', async () => {
    const oldest = Math.min(...machine.map((c) => c.major));
    const { context, reporter } = runner();
    const client = await resolvePostgresClient({ purpose: 'dump', serverMajor: oldest - 1, context }, standInRunner({ installFails: true }));
    expect(installs).toEqual([oldest - 1]);
    expect(client.major).toBe(oldest);
    expect(client.installed).toBe(false);
    const warnings = reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings.join(' ')).toContain(`Installing the PostgreSQL ${oldest - 1} client failed`);
    expect(client.notes.join(' ')).toContain('using');
  });

  it('fails clearly when the install reports success but the client does not appear', async () => {
    const newest = Math.max(...machine.map((c) => c.major));
    const { context } = runner();
    const error = await resolvePostgresClient({ purpose: 'restore', serverMajor: newest + 1, archiveMajor: newest + 1, context }, standInRunner()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClientInstallError);
    expect((error as Error).message).toContain(`no pg_restore ${newest + 1} was found afterwards`);
  });

  it('never installs outside Actions, even with the same host', async () => {
    const newest = Math.max(...machine.map((c) => c.major));
    const reporter = new MemoryReporter();
    const context = createContext(reporter, 'cli', { PATH: process.env.PATH });
    const error = await resolvePostgresClient({ purpose: 'dump', serverMajor: newest + 1, context }, standInRunner()).catch((e: unknown) => e);
    expect(installs).toEqual([]);
    expect((error as Error & { fix?: string }).fix).toContain('only inside GitHub Actions');
  });
});
