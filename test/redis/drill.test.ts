import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeError } from '@lifeboat/core';
import { VerificationError } from '../../packages/core/src/drill/errors.js';
import { automaticChecks, restoreForDrill, restoreInto, runChecks } from '../../packages/core/src/engines/redis/drill.js';
import { RedisSnapshotCorruptError, RedisTargetNotEmptyError } from '../../packages/core/src/engines/redis/errors.js';
import { parseChecks } from '../../packages/core/src/engines/redis/checks.js';
import { parseRedisSection } from '../../packages/core/src/engines/redis/manifest.js';
import { startRedis, type RedisServer, type TestClient } from '../services/redis.js';
import { fillSample, keyName, snapshotOf, type DbCounts } from './sample.js';
import { backupRedis, freshFolder, obtainRedisBackup, testContext } from './support.js';

let source: RedisServer;
let expected: Record<number, DbCounts>;
let rdbStore: string;
let keysStore: string;
let sourceSnapshot: Awaited<ReturnType<typeof snapshotOf>>;
const folders: string[] = [];

function folder(prefix?: string): string {
  const path = freshFolder(prefix);
  folders.push(path);
  return path;
}

const CHECKS = parse(`
- name: a plain string is back
  command: GET ${keyName(0, 0)}
  expect: value 0
- name: the hash has its fields
  command: HLEN ${keyName(0, 3)}
  expect: = 3
- name: the big set is whole
  command: SCARD ${keyName(1, 9)}
  db: 1
  expect: '>= 300'
- name: a missing key is missing
  command: EXISTS "no such key"
  expect: = 0
- name: a stream's consumer group came back
  command: XINFO GROUPS ${keyName(2, 12)}
  db: 2
  expect: some rows
`) as unknown[];

beforeAll(async () => {
  source = await startRedis({ password: 'source/pass@1' });
  expected = await fillSample(source);
  const client = await source.client();
  await client.functionLoad("#!lua name=drilltest\nredis.register_function{function_name='answer', callback=function() return 42 end, flags={'no-writes'}}");
  sourceSnapshot = await snapshotOf(client);
  await client.close();
  rdbStore = folder();
  keysStore = folder();
  await backupRedis({ url: source.url(), store: { store: rdbStore } });
  await backupRedis({ url: source.url(), mode: 'keys', store: { store: keysStore } });
});
afterAll(async () => {
  await source?.stop();
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

describe.each(['rdb', 'keys'] as const)('Redis drill of a %s backup into a throwaway redis-server', (mode) => {
  it('restores, checks the exact counts, runs the operator checks read-only and gives the same keys as the source', async () => {
    const context = testContext();
    const work = folder('lifeboat-work-');
    const { selected, obtained } = await obtainRedisBackup(mode === 'rdb' ? rdbStore : keysStore, 'cache', work, context);
    const target = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'd1', context });
    try {
      expect(target.description).toMatch(/^throwaway redis-server 7\.\d+\.\d+ on 127\.0\.0\.1:\d+$/);
      if (mode === 'rdb') expect(target.checks).toMatchObject([{ kind: 'redis-check-rdb', ok: true, actual: expect.stringContaining('100000 keys read') }]);
      const automatic = await automaticChecks(target, obtained.stats);
      expect(automatic.filter((c) => !c.ok)).toEqual([]);
      expect(automatic.find((c) => c.name === 'keys without expiry in db 1')).toMatchObject({ expected: expected[1]!.keys - expected[1]!.expires, actual: expected[1]!.keys - expected[1]!.expires });
      expect(automatic).toHaveLength(7);
      expect(automatic.at(-1)).toMatchObject({ name: 'function libraries', ok: true, expected: 1, actual: 1 });

      const operator = await runChecks(target, parseChecks(CHECKS));
      expect(operator.map((c) => [c.name, c.ok, c.actual])).toEqual([
        ['a plain string is back', true, 'value 0'],
        ['the hash has its fields', true, '3'],
        ['the big set is whole', true, '300'],
        ['a missing key is missing', true, '0'],
        ["a stream's consumer group came back", true, '1 row'],
      ]);

      // The restored server holds what the source held: sizes and a sample of values.
      const restoredClient = await startClient(target.endpoint.url!);
      try {
        expect(await snapshotOf(restoredClient)).toEqual(sourceSnapshot);
      } finally {
        await restoredClient.close();
      }
      expect(target.endpoint.env.REDIS_URL).toBe(target.endpoint.url);
      // Only the connection and the endpoint carry the password; what goes into evidence does not.
      expect(JSON.stringify({ description: target.description, versions: target.versions, notes: target.notes, checks: target.checks })).not.toContain(target.connection.password!);
    } finally {
      await target.cleanup(false);
    }
  });
});

/** A client on a URL with the password in it (the endpoint a stack check would use). */
async function startClient(url: string) {
  const { createClient, RESP_TYPES } = await import('@redis/client');
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  return Object.assign(client, { buffers: client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) }) as unknown as TestClient;
}

describe('Redis drill failures', () => {
  it('operator checks that would write, or block, are refused without running', async () => {
    const context = testContext();
    const work = folder('lifeboat-work-');
    const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', work, context);
    const target = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'd2', context });
    try {
      const checks = parseChecks([
        { name: 'write', command: `SET ${keyName(0, 0)} changed`, expect: 'OK' },
        { name: 'flush', command: 'FLUSHALL', expect: 'OK' },
        { name: 'block', command: 'BLPOP somelist 1', expect: 'no rows' },
        { name: 'config', command: 'CONFIG SET maxmemory 1', expect: 'OK' },
        { name: 'unknown', command: 'NOSUCHCOMMAND x', expect: 'OK' },
        { name: 'read', command: `OBJECT ENCODING ${keyName(0, 1)}`, expect: 'int' },
      ]);
      const results = await runChecks(target, checks);
      expect(results.map((c) => [c.name, c.ok, c.actual])).toEqual([
        ['write', false, 'refused'],
        ['flush', false, 'refused'],
        ['block', false, 'refused'],
        ['config', false, 'refused'],
        ['unknown', false, 'refused'],
        ['read', true, 'int'],
      ]);
      expect(results.map((c) => c.message?.replace('Checks run read-only commands only: ', ''))).toEqual([
        'SET is flagged `write`.',
        'FLUSHALL is flagged `write`.',
        'BLPOP is flagged `write`.',
        'CONFIG SET is flagged `admin`.',
        'NOSUCHCOMMAND is not a command this server knows.',
        undefined,
      ]);
      // Nothing was written: the key still has its value, and every key is still there.
      expect((await automaticChecks(target, obtained.stats)).every((c) => c.ok)).toBe(true);
      expect((await runChecks(target, parseChecks([{ command: `GET ${keyName(0, 0)}`, expect: 'value 0' }])))[0]!.ok).toBe(true);
    } finally {
      await target.cleanup(false);
    }
  });

  it('a key lost in the restore fails the exact count', async () => {
    const context = testContext();
    const work = folder('lifeboat-work-');
    const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', work, context);
    const target = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'd3', context });
    try {
      const client = await startClient(target.endpoint.url!);
      await client.select(2);
      await client.del(keyName(2, 0));
      await client.close();
      const failed = (await automaticChecks(target, obtained.stats)).filter((c) => !c.ok);
      expect(failed).toMatchObject([{ name: 'keys without expiry in db 2', expected: expected[2]!.keys - expected[2]!.expires, actual: expected[2]!.keys - expected[2]!.expires - 1 }]);
    } finally {
      await target.cleanup(false);
    }
  });

  it('one flipped byte in the stored payload fails verification, naming the SHA-256', async () => {
    const store = folder();
    const result = await backupRedis({ url: source.url(), store: { store } });
    const path = join(store, 'cache', result.manifest.id, 'dump.rdb.pgp');
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(path, bytes);
    const error = await obtainRedisBackup(store, 'cache', folder('lifeboat-work-')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(describeError(error)).toMatch(/SHA-256/);
  });

  it('a decrypted snapshot with one flipped byte is rejected by redis-check-rdb before any server loads it', async () => {
    const context = testContext();
    const work = folder('lifeboat-work-');
    const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', work, context);
    const bytes = readFileSync(obtained.payloadPath);
    bytes[bytes.indexOf('a long compressible value') + 5]! ^= 0x01;
    writeFileSync(obtained.payloadPath, bytes);
    const error = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'd4', context }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisSnapshotCorruptError);
    expect(describeError(error)).toMatch(/redis-check-rdb rejects the decrypted snapshot: .*(CRC|checksum)/i);
  });

  it('refuses a server older than the backup\'s, saying what to install', async () => {
    const context = testContext();
    const work = folder('lifeboat-work-');
    const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', work, context);
    const section = { ...parseRedisSection(selected.manifest.source), serverMajor: 99, serverVersion: '99.0.0' };
    const error = await restoreForDrill({ section, payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'd5', context, throwaway: { linuxRunner: false } }).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/needs a Redis 99 \(or newer\) server.*only redis-server 7\.\d+\.\d+, older.*Install redis-server 99 or newer/);
  });
});

describe('Redis drill into a given server (target-redis-url)', () => {
  it('restores key by key into the empty server, checks, and empties it afterwards', async () => {
    const given = await startRedis({ password: 'drill-target' });
    try {
      const context = testContext();
      const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', folder('lifeboat-work-'), context);
      const target = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: { targetRedisUrl: given.url() }, drillId: 'd6', context });
      try {
        expect(target.description).toMatch(/^given server redis:\/\/127\.0\.0\.1:\d+ \(Redis 7\./);
        expect((await automaticChecks(target, obtained.stats)).filter((c) => !c.ok)).toEqual([]);
        expect((await runChecks(target, parseChecks(CHECKS))).every((c) => c.ok)).toBe(true);
      } finally {
        await target.cleanup(false);
      }
      expect(await given.cli(['DBSIZE'])).toBe('0\n');
      expect((await given.cli(['FUNCTION', 'LIST'])).trim()).toBe('');
      expect(await given.cli(['-n', '1', 'DBSIZE'])).toBe('0\n');
    } finally {
      await given.stop();
    }
  });

  it('refuses a given server that holds keys, and leaves them', async () => {
    const given = await startRedis();
    try {
      await given.cli(['-n', '4', 'SET', 'mine', 'keep me']);
      const context = testContext();
      const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', folder('lifeboat-work-'), context);
      const error = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: { targetRedisUrl: given.url() }, drillId: 'd7', context }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisTargetNotEmptyError);
      expect(describeError(error)).toMatch(/already holds keys \(db 4: 1\).*empty server kept for drills/);
      expect(await given.cli(['-n', '4', 'GET', 'mine'])).toBe('keep me\n');
    } finally {
      await given.stop();
    }
  });
});

describe('Redis restore into the operator\'s server (target-redis-url)', () => {
  it.each(['rdb', 'keys'] as const)('writes every key of a %s backup with RESTORE and checks the counts', async (mode) => {
    const target = await startRedis({ password: 'target-pass' });
    try {
      const context = testContext();
      const work = folder('lifeboat-work-');
      const { selected, obtained } = await obtainRedisBackup(mode === 'rdb' ? rdbStore : keysStore, 'cache', work, context);
      const result = await restoreInto({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: { targetRedisUrl: target.url() }, context });
      expect(result.checks.filter((c) => !c.ok)).toEqual([]);
      expect(result.checks).toHaveLength(7);
      expect(result.restored.functions).toBe(1);
      const client = await target.client();
      try {
        expect(await snapshotOf(client)).toEqual(sourceSnapshot);
        expect(await client.sendCommand(['FCALL_RO', 'answer', '0'])).toBe(42);
        // Expiries come back as they were: an hour, give or take the test's own duration.
        await client.select(0);
        const ttl = await client.ttl(keyName(0, 3));
        expect(ttl).toBeGreaterThan(3000);
        expect(ttl).toBeLessThanOrEqual(3600);
      } finally {
        await client.close();
      }
    } finally {
      await target.stop();
    }
  });

  it('refuses a server that holds keys', async () => {
    const target = await startRedis();
    try {
      await target.cli(['SET', 'existing', 'key']);
      const context = testContext();
      const { selected, obtained } = await obtainRedisBackup(rdbStore, 'cache', folder('lifeboat-work-'), context);
      const error = await restoreInto({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: { targetRedisUrl: target.url() }, context }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisTargetNotEmptyError);
      expect(describeError(error)).toMatch(/already holds keys \(db 0: 1\).*empty server/);
      expect(await target.cli(['DBSIZE'])).toBe('1\n');
    } finally {
      await target.stop();
    }
  });
});
