import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '@lifeboat/core';
import type { DockerCommandResult, DockerRunner } from '../../packages/core/src/engines/postgres/ephemeral/docker-command.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';
import { withClient } from '../../packages/core/src/engines/redis/client.js';
import { readServerFacts } from '../../packages/core/src/engines/redis/info.js';
import { chooseRedisServer, parseServerVersion, redisDockerWorthProbing, type LocalRedisServer } from '../../packages/core/src/engines/redis/server-choice.js';
import { dockerRedisArgs, startThrowawayRedis, throwawayConfig } from '../../packages/core/src/engines/redis/throwaway.js';
import { isRunning } from '../ephemeral/support/processes.js';
import { startRedis, type RedisServer } from '../services/redis.js';
import { fillSample, type DbCounts } from './sample.js';

const local7: LocalRedisServer = { path: '/usr/bin/redis-server', version: '7.0.15', major: 7 };
const local8: LocalRedisServer = { path: '/usr/bin/redis-server', version: '8.2.1', major: 8 };
const engine = { available: true as const, serverVersion: '27.3.1' };
const noEngine = { available: false as const, why: 'no-engine' as const, detail: 'Cannot connect to the Docker daemon' };

describe('choosing the throwaway Redis server', () => {
  it.each([
    ['same major locally', { backupMajor: 7, local: local7, linuxRunner: true, docker: engine }, { kind: 'local', server: local7 }],
    ['container of the exact major on a Linux runner', { backupMajor: 6, local: local7, linuxRunner: true, docker: engine }, { kind: 'docker', image: 'redis:6' }],
    ['container when there is no local server', { backupMajor: 7, linuxRunner: true, docker: engine }, { kind: 'docker', image: 'redis:7' }],
    ['a newer local server elsewhere, with a note', { backupMajor: 7, local: local8, linuxRunner: false }, { kind: 'local', server: local8, note: expect.stringContaining('redis-server 8.2.1 instead') }],
    ['a newer local server when docker does not work', { backupMajor: 7, local: local8, linuxRunner: true, docker: noEngine }, { kind: 'local', server: local8 }],
    ['never an older server', { backupMajor: 8, local: local7, linuxRunner: false }, { kind: 'refuse', reason: expect.stringContaining('only redis-server 7.0.15, older'), fix: expect.stringContaining('target-redis-url') }],
    ['refuse naming the docker problem', { backupMajor: 8, local: local7, linuxRunner: true, docker: noEngine }, { kind: 'refuse', reason: expect.stringContaining('docker cannot start a container (Cannot connect') }],
    ['refuse with nothing at all', { backupMajor: 7, linuxRunner: false }, { kind: 'refuse', reason: expect.stringContaining('no redis-server, and Lifeboat starts containers only on Linux GitHub runners') }],
  ])('%s', (_label, facts, choice) => {
    expect(chooseRedisServer(facts)).toMatchObject(choice);
  });

  it('asks docker only on Linux runners without a local server of the backup major', () => {
    expect(redisDockerWorthProbing({ backupMajor: 7, local: local7, linuxRunner: true })).toBe(false);
    expect(redisDockerWorthProbing({ backupMajor: 7, local: local8, linuxRunner: true })).toBe(true);
    expect(redisDockerWorthProbing({ backupMajor: 7, linuxRunner: false })).toBe(false);
  });

  it('reads the version redis-server prints', () => {
    expect(parseServerVersion('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0')).toBe('7.0.15');
    expect(parseServerVersion('something else')).toBeUndefined();
  });

  it('runs a container with the port on loopback only and the password only in the mounted config', () => {
    const args = dockerRedisArgs({ name: 'lifeboat-redis-abc', image: 'redis:7', dir: '/tmp/x' });
    expect(args).toEqual(['run', '--detach', '--name', 'lifeboat-redis-abc', '--label', 'org.lifeboat.ephemeral=true', '--publish', '127.0.0.1::6379', '--volume', '/tmp/x:/data', 'redis:7', 'redis-server', '/data/redis.conf']);
    const config = throwawayConfig({ bind: '127.0.0.1', port: 1234, dir: '/d', password: 'pw-123', databases: 16 });
    expect(config).toMatch(/^bind 127\.0\.0\.1$/m);
    expect(config).toMatch(/^requirepass pw-123$/m);
    expect(config).toMatch(/^save ""$/m);
    expect(config).toMatch(/^appendonly no$/m);
  });
});

let source: RedisServer;
let expected: Record<number, DbCounts>;
let work: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  source = await startRedis();
  expected = await fillSample(source, 0.05);
  await source.cli(['SAVE']);
  work = mkdtempSync(join(tmpdir(), 'lifeboat-redis-throwaway-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await source?.stop();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A docker client for tests, where no docker engine runs: `run` starts a real redis-server
 * from the mounted folder's redis.conf (its container address and /data mapped to the host
 * folder), `port` answers its port, `rm` stops it. So the config file, the password in it
 * and the snapshot placed beside it are all really used.
 */
function dockerStandIn(): { docker: DockerRunner; calls: string[][]; running: () => boolean } {
  const calls: string[][] = [];
  let server: ChildProcess | undefined;
  let port = 0;
  const ok = (stdout = ''): DockerCommandResult => ({ exitCode: 0, stdout, stderr: '' });
  const docker: DockerRunner = async (args) => {
    calls.push([...args]);
    if (args[0] === 'version') return ok('27.3.1\n');
    if (args[0] === 'run') {
      const mount = args[args.indexOf('--volume') + 1]!.replace(/:\/data$/, '');
      port = await freeLoopbackPort();
      const config = readFileSync(join(mount, 'redis.conf'), 'utf8').replace('bind 0.0.0.0', 'bind 127.0.0.1').replace('port 6379', `port ${port}`).replace('dir /data', `dir ${mount}`);
      server = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'ignore'], cwd: mount });
      server.stdin!.end(config);
      return ok('0123456789abcdef\n');
    }
    if (args[0] === 'port') return ok(`127.0.0.1:${port}\n`);
    if (args[0] === 'rm') {
      server?.kill('SIGTERM');
      return ok(`${args.at(-1)}\n`);
    }
    return { exitCode: 1, stdout: '', stderr: `unexpected docker ${args[0]}` };
  };
  return { docker, calls, running: () => server !== undefined && server.exitCode === null && server.signalCode === null };
}

describe('throwaway Redis servers', () => {
  it('a redis:<major> container on a Linux runner without a local server: the snapshot loads, the container goes', async () => {
    const standIn = dockerStandIn();
    const server = await startThrowawayRedis({
      backupMajor: 7,
      rdbPath: join(source.dir, 'dump.rdb'),
      databases: 16,
      tempDir: work,
      env: process.env,
      serverPath: join(work, 'no-redis-server-here'),
      linuxRunner: true,
      docker: standIn.docker,
    });
    try {
      expect(server.kind).toBe('docker');
      const facts = await withClient(server.connection, readServerFacts);
      expect(Object.fromEntries(facts.keyspace.map((k) => [k.db, { keys: k.keys, expires: k.expires }]))).toEqual(expected);
      expect(standIn.calls.find((c) => c[0] === 'run')!.join(' ')).not.toContain(server.connection.password!);
    } finally {
      await server.stop();
    }
    expect(standIn.calls.at(-1)).toEqual(['rm', '--force', '--volumes', expect.stringMatching(/^lifeboat-redis-[0-9a-f]{12}$/)]);
    await expect.poll(() => standIn.running(), { timeout: 10_000 }).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });

  it('a damaged snapshot: redis-server refuses it and says so', async () => {
    const bad = join(work, 'bad.rdb');
    const bytes = readFileSync(join(source.dir, 'dump.rdb'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await startThrowawayRedis({ backupMajor: 7, rdbPath: bad, databases: 16, tempDir: work, env: process.env, linuxRunner: false }).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/did not load the snapshot: (Short read|Internal error in RDB reading).*The snapshot is damaged; use another backup id/);
  });

  it('killed with SIGKILL, the process that started one still leaves no server and no folder behind', async () => {
    const here = join(import.meta.dirname, 'support');
    const child = spawn(process.execPath, ['--import', join(import.meta.dirname, '..', 'ephemeral', 'support', 'register-ts.mjs'), join(here, 'hold-redis.ts'), work], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const line = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`hold-redis exited (${code}): ${stderr}`)));
    });
    const handle = JSON.parse(line) as { pid: number; dir: string };
    expect(isRunning(handle.pid)).toBe(true);
    expect(existsSync(handle.dir)).toBe(true);
    child.kill('SIGKILL');
    await expect.poll(() => isRunning(handle.pid), { timeout: 30_000, interval: 200 }).toBe(false);
    await expect.poll(() => existsSync(handle.dir), { timeout: 30_000, interval: 200 }).toBe(false);
  });
});
