/**
 * The toolchain against real servers: PostgreSQL 17 (embedded dev dependency), 14 (embedded)
 * and the machine's own server, with the machine's own client tools. Nothing is installed:
 * outside a GitHub-hosted Ubuntu runner the resolver only finds, chooses or refuses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type RunContext } from '../../packages/core/src/context.js';
import { describeError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import {
  ClientTooOldError,
  detectPlatform,
  discoverClients,
  majorFromVersionNum,
  resolvePostgresClient,
  type PgClientInstallation,
} from '../../packages/core/src/toolchain/index.js';
import { startPostgres, type PgServer } from '../services/postgres.js';

const servers: PgServer[] = [];
const temps: string[] = [];
let pg17: PgServer;
let pg14: PgServer;
let machineServer: PgServer;
let clients: PgClientInstallation[];

beforeAll(async () => {
  // Started one after another: two cores.
  pg17 = await startPostgres({ major: 17 });
  servers.push(pg17);
  pg14 = await startPostgres({ major: 14 });
  servers.push(pg14);
  machineServer = await startPostgres();
  servers.push(machineServer);
  clients = await discoverClients(process.env, await detectPlatform());
});

afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A laptop-like context: the machine's PATH, no GitHub Actions variables. */
function laptop(): { context: RunContext; reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { context: createContext(reporter, 'cli', { PATH: process.env.PATH }), reporter };
}

async function serverMajor(server: PgServer): Promise<number> {
  const [row] = await server.query<{ n: string }>("SELECT current_setting('server_version_num') AS n");
  return majorFromVersionNum(Number(row!.n));
}

function run(tool: string, args: string[], password: string) {
  return spawnSync(tool, args, { encoding: 'utf8', env: { PATH: process.env.PATH, PGPASSWORD: password } });
}

function connArgs(server: PgServer, database = 'postgres'): string[] {
  return ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database];
}

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-toolchain-'));
  temps.push(dir);
  return join(dir, name);
}

describe('resolvePostgresClient against real servers', () => {
  it('refuses to dump PostgreSQL 17 with an older client, and pg_dump itself confirms why', async () => {
    const major = await serverMajor(pg17);
    expect(major).toBe(17);
    const newest = Math.max(...clients.filter((c) => c.tools.pg_dump).map((c) => c.major));
    expect(newest, 'this test needs a machine whose clients are all older than 17').toBeLessThan(17);

    const { context } = laptop();
    const error = await resolvePostgresClient({ purpose: 'dump', serverMajor: major, context }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientTooOldError);
    const line = describeError(error);
    expect(line).toContain(`pg_dump here is ${newest}.`);
    expect(line).toContain('older than the server (PostgreSQL 17)');
    expect(line).toContain('postgresql-client-17');
    expect(line).not.toContain('\n');

    // The reason is pg_dump's own behaviour, not a guess: run the machine's newest pg_dump.
    const machineDump = clients.find((c) => c.major === newest)!.tools.pg_dump!;
    const attempt = run(machineDump, [...connArgs(pg17), '-Fc', '--no-sync', '-f', tempFile('refused.pgdump')], pg17.password);
    expect(attempt.status).not.toBe(0);
    expect(attempt.stderr).toContain('server version mismatch');
  });

  it('refuses postgres-client-version older than the server', async () => {
    const { context } = laptop();
    const older = clients[0]!.major;
    const error = await resolvePostgresClient({ purpose: 'dump', serverMajor: await serverMajor(pg17), override: older, context }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientTooOldError);
    expect(describeError(error)).toContain(`postgres-client-version ${older} is older than the server (PostgreSQL 17)`);
  });

  it('matches the machine server with the client of its own major, which then dumps it', async () => {
    const major = await serverMajor(machineServer);
    const { context, reporter } = laptop();
    const client = await resolvePostgresClient({ purpose: 'dump', serverMajor: major, context });
    expect(client.major).toBe(major);
    expect(client.installed).toBe(false);
    expect(client.tool).toBe(join(client.binDir, 'pg_dump'));
    expect(reporter.text()).toContain('same major as the server');

    await machineServer.query('CREATE TABLE IF NOT EXISTS toolchain_probe (id int)');
    await machineServer.query('INSERT INTO toolchain_probe SELECT generate_series(1, 5)');
    const archive = tempFile('machine.pgdump');
    const dump = run(client.tool, [...connArgs(machineServer), '-Fc', '--no-sync', '-f', archive], machineServer.password);
    expect(dump.stderr).toBe('');
    expect(dump.status).toBe(0);

    // Restoring that archive into PostgreSQL 17 here: pg_restore must read the archive
    // (≥ its pg_dump major); the machine's pg_restore is older than the target but fits.
    const restoreClient = await resolvePostgresClient({ purpose: 'restore', serverMajor: 17, archiveMajor: client.major, sourceMajor: major, context });
    expect(restoreClient.major).toBeGreaterThanOrEqual(client.major);
    expect(restoreClient.compat.stripTransactionTimeout).toBe(false);
    await pg17.createDatabase('toolchain_restore');
    const restore = run(restoreClient.tool, [...connArgs(pg17, 'toolchain_restore'), '--no-owner', '--exit-on-error', archive], pg17.password);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    const [row] = await pg17.query<{ n: string }>('SELECT count(*) AS n FROM toolchain_probe', [], 'toolchain_restore');
    expect(Number(row!.n)).toBe(5);
  });

  it('dumps an older server (PostgreSQL 14) with a newer client when it may not install, and says so', async () => {
    const major = await serverMajor(pg14);
    expect(major).toBe(14);
    const { context, reporter } = laptop();
    const client = await resolvePostgresClient({ purpose: 'dump', serverMajor: major, context });
    expect(client.major).toBeGreaterThan(14);
    expect(reporter.text()).toContain('a newer pg_dump can dump PostgreSQL 14');
    const dump = run(client.tool, [...connArgs(pg14), '-Fc', '--no-sync', '-f', tempFile('pg14.pgdump')], pg14.password);
    expect(dump.stderr).toBe('');
    expect(dump.status).toBe(0);
  });

  it('refuses to restore into a target older than the backup source', async () => {
    const { context } = laptop();
    const error = await resolvePostgresClient({ purpose: 'restore', serverMajor: await serverMajor(pg14), archiveMajor: 17, sourceMajor: 17, context }).catch(
      (e: unknown) => e,
    );
    expect(describeError(error)).toContain('The target server is PostgreSQL 14, older than the PostgreSQL 17');
  });
});
