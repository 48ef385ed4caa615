import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automaticChecks, restoreForDrill } from '../../packages/core/src/engines/redis/drill.js';
import { redisStatsSchema } from '../../packages/core/src/engines/redis/stats.js';
import { parseRedisSection } from '../../packages/core/src/engines/redis/manifest.js';
import { createTestCa, startRedis, type RedisServer, type TestCa } from '../services/redis.js';
import { fillSample, type DbCounts } from './sample.js';
import { backupRedis, freshFolder, obtainRedisBackup, testContext } from './support.js';

let ca: TestCa;
const folders: string[] = [];
const servers: RedisServer[] = [];

beforeAll(async () => {
  ca = await createTestCa();
});
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await ca?.cleanup();
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

function folder(prefix?: string): string {
  const path = freshFolder(prefix);
  folders.push(path);
  return path;
}

async function server(options: Parameters<typeof startRedis>[0]): Promise<RedisServer> {
  const started = await startRedis(options);
  servers.push(started);
  return started;
}

/** Backs up, drills into a throwaway server, and returns the automatic checks and notes. */
async function backupAndDrill(test: Omit<Parameters<typeof backupRedis>[0], 'store'>, pause = 0) {
  const store = folder();
  const result = await backupRedis({ ...test, store: { store } });
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  const context = testContext();
  const { selected, obtained } = await obtainRedisBackup(store, test.name ?? 'cache', folder('lifeboat-work-'), context);
  const target = await restoreForDrill({ section: parseRedisSection(selected.manifest.source), payloadPath: obtained.payloadPath, stats: obtained.stats, options: {}, drillId: 'x', context });
  try {
    return { result, checks: await automaticChecks(target, obtained.stats), notes: target.notes };
  } finally {
    await target.cleanup(false);
  }
}

function counts(stats: unknown): Record<number, DbCounts> {
  return Object.fromEntries(redisStatsSchema.parse(stats).databases.map((d) => [d.db, { keys: d.keys, expires: d.expires }]));
}

describe('Redis servers of every kind', () => {
  it('a TLS-only server that wants client certificates: rediss:// with the CA, the client certificate and key', async () => {
    const tls = await server({ tls: ca, password: 'tls-pass', config: { 'tls-auth-clients': 'yes' } });
    const expected = await fillSample(tls, 0.05);
    const settings = { redisTlsCa: ca.caCert, redisTlsCert: ca.clientCert, redisTlsKey: ca.clientKey };
    for (const mode of ['rdb', 'keys'] as const) {
      const { result, checks } = await backupAndDrill({ url: tls.url(), tls: settings, mode, name: `tls-${mode}` });
      expect(result.manifest.source).toMatchObject({ kind: 'redis', mode, tls: true });
      expect(counts(result.source.stats)).toEqual(expected);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it('a server that saves to disk before sending (repl-diskless-sync no): the `$<length>` transfer', async () => {
    const disk = await server({ config: { 'repl-diskless-sync': 'no' } });
    const expected = await fillSample(disk, 0.05);
    const { result, checks } = await backupAndDrill({ url: disk.url() });
    expect(result.manifest.source).toMatchObject({ transfer: 'bulk' });
    expect(counts(result.source.stats)).toEqual(expected);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('keys that expire between the backup and the drill: the check passes and says how many expired', async () => {
    // Diskless replication waits repl-diskless-sync-delay (5 s by default) before the snapshot starts.
    const source = await server({ config: { 'repl-diskless-sync-delay': '0' } });
    for (const mode of ['rdb', 'keys'] as const) {
      const client = await source.client();
      await client.flushAll();
      for (let i = 0; i < 50; i++) await client.set(`short:${i}`, 'soon gone', { PX: 3000 });
      for (let i = 0; i < 20; i++) await client.set(`long:${i}`, 'stays', { EX: 3600 });
      for (let i = 0; i < 30; i++) await client.set(`forever:${i}`, 'stays');
      await client.close();
      const { result, checks } = await backupAndDrill({ url: source.url(), mode, name: `ttl-${mode}` }, 3500);
      expect(counts(result.source.stats)).toEqual({ 0: { keys: 100, expires: 70 } });
      expect(checks.map((c) => [c.name, c.ok, c.actual, c.message])).toEqual([
        ['keys without expiry in db 0', true, 30, undefined],
        ['keys with expiry in db 0', true, 20, '50 of the 70 keys with an expiry expired since the backup.'],
      ]);
    }
  });

  it('zstd compression: the payload is compressed, and drills the same', async () => {
    const source = await server({ password: 'z-pass' });
    const expected = await fillSample(source, 0.05);
    for (const mode of ['rdb', 'keys'] as const) {
      const { result, checks } = await backupAndDrill({ url: source.url(), mode, compression: 'zstd', name: `zstd-${mode}` });
      expect(result.manifest.source).toMatchObject({ compression: 'zstd' });
      expect(result.payload.file).toBe(mode === 'rdb' ? 'dump.rdb.zst.pgp' : 'keys.lbrk.zst.pgp');
      expect(counts(result.source.stats)).toEqual(expected);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it('a database numbered above 15 on a server with 32 databases', async () => {
    const many = await server({ config: { databases: '32' } });
    await many.cli(['-n', '27', 'SET', 'deep', 'value']);
    const { result, checks } = await backupAndDrill({ url: many.url() });
    expect(counts(result.source.stats)).toEqual({ 27: { keys: 1, expires: 0 } });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});
