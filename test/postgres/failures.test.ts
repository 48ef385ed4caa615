import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionEnv,
  createPostgresSource,
  DatabaseAuthError,
  DatabaseConnectionError,
  DatabaseNotFoundError,
  DatabaseUnreachableError,
  DatabaseUrlError,
  describeError,
  describeErrorVerbose,
  DumpError,
  PostgresToolMissingError,
  pgToolVersion,
  resolveConnection,
  restorePostgres,
} from '@lifeboat/core';
import { connectionErrorFromStderr } from '../../packages/core/src/engines/postgres/connection.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createSample, dumpToFile, machineClientBinDir } from './sample.js';

let server: PgServer;
let work: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  server = await startPostgres();
  await createSample(server, 'shop');
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-fail-'));
});
afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Asserts an error names its problem and fix and nowhere shows the password. */
function expectClean(error: unknown, password: string) {
  const texts = [describeError(error), describeErrorVerbose(error), JSON.stringify(error), String((error as Error).message), String((error as { fix?: string }).fix)];
  for (const text of texts) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(encodeURIComponent(password));
  }
  expect((error as { fix?: string }).fix).toBeTruthy();
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function closedPort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** Child processes of this process named `name`, from /proc. */
function childrenNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = /\(([^)]*)\)/.exec(stat)?.[1];
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return comm === name && ppid === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('connection problems each get their own error, password never shown', () => {
  it('unreachable port', async () => {
    const port = await closedPort();
    const url = `postgres://postgres:${encodeURIComponent(server.password)}@127.0.0.1:${port}/shop`;
    const error = await failure(createPostgresSource({ connection: resolveConnection(url, {}), binDir }));
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(describeError(error)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*refused`));
    expectClean(error, server.password);
  });

  it('malformed URL', () => {
    const url = `postgres://postgres:${server.password}@127.0.0.1:${server.port}/shop`; // '/' and '@' left unescaped
    let error: unknown;
    try {
      resolveConnection(url, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expectClean(error, server.password);
  });

  it('wrong password', async () => {
    const wrong = `${server.password}-not`;
    const url = `postgres://postgres:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/shop`;
    const error = await failure(createPostgresSource({ connection: resolveConnection(url, {}), binDir }));
    expect(error).toBeInstanceOf(DatabaseAuthError);
    expect(describeError(error)).toMatch(/refused the password for user 'postgres'/);
    expectClean(error, wrong);
    expectClean(error, server.password);
  });

  it('missing database', async () => {
    const error = await failure(createPostgresSource({ connection: resolveConnection(server.url('nope'), {}), binDir }));
    expect(error).toBeInstanceOf(DatabaseNotFoundError);
    expect(describeError(error)).toMatch(/Database 'nope' does not exist/);
    expectClean(error, server.password);
  });

  it('TLS required by the client but not offered by the server', async () => {
    const error = await failure(createPostgresSource({ connection: resolveConnection(`${server.url('shop')}?sslmode=require`, {}), binDir }));
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expectClean(error, server.password);
  });

  it('the same causes are recognised in pg_dump\'s own stderr', async () => {
    const run = (url: string) =>
      new Promise<string>((done) => {
        const env = connectionEnv(resolveConnection(url, {}), process.env);
        execFile(join(binDir, 'pg_dump'), ['--schema-only', '--no-password'], { env }, (_e, _out, stderr) => done(stderr));
      });
    const wrong = resolveConnection(`postgres://postgres:${encodeURIComponent('wrong-pw-1')}@127.0.0.1:${server.port}/shop`, {});
    expect(connectionErrorFromStderr(await run(`postgres://postgres:wrong-pw-1@127.0.0.1:${server.port}/shop`), wrong)).toBeInstanceOf(DatabaseAuthError);
    const missing = resolveConnection(server.url('nope'), {});
    expect(connectionErrorFromStderr(await run(server.url('nope')), missing)).toBeInstanceOf(DatabaseNotFoundError);
    const port = await closedPort();
    const closed = `postgres://postgres:x-pw-x@127.0.0.1:${port}/shop`;
    expect(connectionErrorFromStderr(await run(closed), resolveConnection(closed, {}))).toBeInstanceOf(DatabaseUnreachableError);
  });

  it('a restore target with a wrong password', async () => {
    const url = `postgres://postgres:wrong-target-pw@127.0.0.1:${server.port}/shop`;
    const error = await failure(restorePostgres({ file: join(work, 'none.pgdump'), target: url, binDir }));
    expect(error).toBeInstanceOf(DatabaseAuthError);
    expectClean(error, 'wrong-target-pw');
  });
});

describe('the dump fails loudly', () => {
  it('rejects with a DumpError naming pg_dump when pg_dump is killed mid-stream', async () => {
    const source = await createPostgresSource({ connection: resolveConnection(server.url('shop'), {}), binDir, compression: { method: 'none' } });
    const run = await source.start(new AbortController().signal);
    // Read a little, so pg_dump is mid-way and blocked on the full pipe.
    const first: Buffer = await new Promise((done) => run.stream.once('data', done));
    run.stream.pause();
    expect(first.subarray(0, 5).toString()).toBe('PGDMP');
    const [pid] = childrenNamed('pg_dump');
    expect(pid).toBeDefined();
    // The password reaches pg_dump through its environment, never its command line.
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(commandLine).toContain('--snapshot=');
    expect(commandLine).not.toContain(server.password);
    expect(commandLine).not.toContain(encodeURIComponent(server.password));
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`PGPASSWORD=${server.password}`);
    process.kill(pid!, 'SIGKILL');
    run.stream.resume();
    let received = first.length;
    run.stream.on('data', (chunk: Buffer) => (received += chunk.length));
    const error = await failure(run.result);
    expect(error).toBeInstanceOf(DumpError);
    expect(error).toMatchObject({ tool: 'pg_dump', signal: 'SIGKILL' });
    expect(describeError(error)).toMatch(/pg_dump was killed by SIGKILL/);
    expect(received).toBeLessThan(source.expectedSize!);
    // The snapshot transaction is gone too.
    await expect.poll(async () => (await server.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'lifeboat'"))[0]!.n, { timeout: 10_000 }).toBe(0);
  });

  it('abort() stops pg_dump and the snapshot, and the result rejects with the reason', async () => {
    // pg_dump's own output, so that the first bytes arrive while it runs (zstd's stage holds them until its input ends).
    const source = await createPostgresSource({ connection: resolveConnection(server.url('shop'), {}), binDir, compression: { method: 'none' } });
    const controller = new AbortController();
    const run = await source.start(controller.signal);
    await new Promise((done) => run.stream.once('data', done));
    run.stream.pause();
    const [pid] = childrenNamed('pg_dump');
    expect(pid).toBeDefined();
    const reason = new Error('upload failed');
    controller.abort(reason);
    await expect(run.result).rejects.toBe(reason);
    run.abort(); // idempotent
    expect(run.stream.destroyed).toBe(true);
    await expect.poll(() => childrenNamed('pg_dump').includes(pid!), { timeout: 10_000 }).toBe(false);
    await expect.poll(async () => (await server.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'lifeboat'"))[0]!.n, { timeout: 10_000 }).toBe(0);
  });

  it('a pg_dump error after start becomes a DumpError with pg_dump\'s own words and a fix', async () => {
    // A table pattern that matches nothing passes Lifeboat's checks; pg_dump refuses it.
    const source = await createPostgresSource({ connection: resolveConnection(server.url('shop'), {}), binDir, filters: { tables: ['nosuchtable'] } });
    const error = await failure(dumpToFile(source, join(work, 'none.pgdump')));
    expect(error).toBeInstanceOf(DumpError);
    expect(describeError(error)).toMatch(/pg_dump exited with code 1: .*no matching tables were found/);
    expect((error as DumpError).fix).toMatch(/patterns/);
  });

  it('a missing pg_dump is named, with how to get one', async () => {
    const error = await failure(createPostgresSource({ connection: resolveConnection(server.url('shop'), {}), binDir: join(work, 'no-such-bin') }));
    expect(error).toBeInstanceOf(PostgresToolMissingError);
    expect(describeError(error)).toMatch(/pg_dump was not found/);
  });

  it('options the client cannot honour are refused before anything runs', async () => {
    const connection = resolveConnection(server.url('shop'), {});
    const { major } = await pgToolVersion(join(binDir, 'pg_dump'));
    const zstd = createPostgresSource({ connection, binDir, compression: { method: 'zstd', level: 3 } });
    if (major < 16) await expect(zstd).rejects.toThrow(/lz4 and zstd need pg_dump 16/);
    else await expect(zstd).resolves.toMatchObject({ compression: { method: 'zstd', level: 3 } });
    await expect(createPostgresSource({ connection, binDir, extraArgs: ['-f', 'x'] })).rejects.toThrow(/pg-dump-args: '-f'/);
    await expect(createPostgresSource({ connection, binDir, jobs: 4 })).rejects.toThrow(/format: directory/);
  });
});
