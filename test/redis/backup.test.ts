import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptBytes, loadDecryptionKeys } from '../../packages/core/src/crypto/index.js';
import { redisManifestSchema } from '../../packages/core/src/engines/redis/manifest.js';
import { redisStatsSchema } from '../../packages/core/src/engines/redis/stats.js';
import { startS3, type S3Service } from '../services/s3.js';
import { startRedis, type RedisServer } from '../services/redis.js';
import { fillSample, type DbCounts } from './sample.js';
import { backupRedis, freshFolder, readManifest, TEST_PASSPHRASE, testContext } from './support.js';

const run = promisify(execFile);
let server: RedisServer;
let s3: S3Service;
let expected: Record<number, DbCounts>;
const folders: string[] = [];

beforeAll(async () => {
  [server, s3] = await Promise.all([startRedis({ password: 'pa:ss@word/1', config: { 'repl-diskless-sync-delay': '5' } }), startS3()]);
  expected = await fillSample(server);
});
afterAll(async () => {
  await Promise.allSettled([server?.stop(), s3?.stop()]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const path = freshFolder();
  folders.push(path);
  return path;
}

async function decrypted(path: string): Promise<Buffer> {
  const keys = await loadDecryptionKeys({ passphrase: TEST_PASSPHRASE });
  return Buffer.from(await decryptBytes(readFileSync(path), keys));
}

function countsOf(stats: { databases: { db: number; keys: number; expires: number }[] }): Record<number, DbCounts> {
  return Object.fromEntries(stats.databases.map((d) => [d.db, { keys: d.keys, expires: d.expires }]));
}

// This server keeps Redis's default 5 s diskless delay: the master sends newlines while it waits.
describe('Redis backup, rdb mode (3 databases, 100,000 keys of every type)', () => {
  it('stores the snapshot encrypted, with the exact counts in the encrypted stats and only operational facts in the manifest', async () => {
    const store = folder();
    const context = testContext();
    const result = await backupRedis({ url: server.url(), store: { store } }, context);
    const id = result.manifest.id;
    expect(readdirSync(join(store, 'cache', id)).sort()).toEqual(['dump.rdb.pgp', 'manifest.json', 'stats.json.pgp']);

    const manifest = readManifest(store, 'cache', id);
    const section = redisManifestSchema.parse(manifest.source);
    expect(section).toMatchObject({ kind: 'redis', mode: 'rdb', pointInTime: true, payloadFormat: 'rdb', serverMajor: 7, tls: false, compression: 'none', transfer: 'eof-marker' });
    expect(section.serverVersion).toMatch(/^7\./);
    expect(section.rdbVersion).toBeGreaterThanOrEqual(10);
    const text = readFileSync(join(store, 'cache', id, 'manifest.json'), 'utf8');
    expect(text).not.toMatch(/str:0|hash:|keys"|pa:ss/);

    const stats = redisStatsSchema.parse(JSON.parse((await decrypted(join(store, 'cache', id, 'stats.json.pgp'))).toString()));
    expect(countsOf(stats)).toEqual(expected);
    expect(stats.checksum).toBe('verified');
    expect(stats.databases[0]!.types).toMatchObject({ string: expect.any(Number), hash: expect.any(Number), list: expect.any(Number), set: expect.any(Number), zset: expect.any(Number), stream: expect.any(Number) });

    // The decrypted payload is a whole RDB file by redis-check-rdb's judgement.
    const rdbPath = join(folder(), 'dump.rdb');
    writeFileSync(rdbPath, await decrypted(join(store, 'cache', id, 'dump.rdb.pgp')));
    const check = await run('redis-check-rdb', [rdbPath]);
    expect(check.stdout).toMatch(/RDB looks OK/);
    expect(check.stdout).toContain(`${Object.values(expected).reduce((a, c) => a + c.keys, 0)} keys read`);
    expect(context.reporter.lines.map((l) => l.message).join('\n')).not.toContain('pa:ss@word/1');
  });

  it('stores to S3 (s3rver) the same way', async () => {
    const bucket = await s3.createBucket();
    const context = testContext(s3.env);
    const result = await backupRedis({ url: server.url(), store: { store: `s3://${bucket}/lifeboat`, s3Endpoint: s3.endpoint, s3Region: s3.region, s3ForcePathStyle: true } }, context);
    expect(result.manifest.source).toMatchObject({ kind: 'redis', mode: 'rdb' });
    expect(result.source.stats).toMatchObject({ mode: 'rdb' });
    expect(countsOf(redisStatsSchema.parse(result.source.stats))).toEqual(expected);
  });
});

describe('Redis backup, keys mode', () => {
  it('writes every key with its expiry into a record file and says it is not point-in-time', async () => {
    const store = folder();
    const result = await backupRedis({ url: server.url(), mode: 'keys', store: { store } });
    const section = redisManifestSchema.parse(result.manifest.source);
    expect(section).toMatchObject({ kind: 'redis', mode: 'keys', pointInTime: false, payloadFormat: 'lifeboat-redis-keys/1', transfer: 'scan' });
    expect(readdirSync(join(store, 'cache', result.manifest.id)).sort()).toEqual(['keys.lbrk.pgp', 'manifest.json', 'stats.json.pgp']);
    const stats = redisStatsSchema.parse(result.source.stats);
    expect(countsOf(stats)).toEqual(expected);
    expect(stats.vanished).toBe(0);
  });
});
