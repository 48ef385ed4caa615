/**
 * A stack member whose Redis cannot be reached, or goes away in the middle of the backup: the
 * stack backup fails naming the member with the Redis error and its fix, every time, and
 * nothing raises a stray `write EPIPE` (a write into a pipe or socket the other side closed,
 * with no one listening for its error). Run many times, since such races show intermittently.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupOperation, backupStack, objectSource, resolveOptions, withStackStore } from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { requireRedisTools, startRedis, type RedisServer } from '../services/redis.js';
import { freshFolder, testContext } from '../redis/support.js';

requireRedisTools();

const RUNS = 20;
let pg: PgServer;
let redis: RedisServer;
let proxy: Server;
let proxyPort = 0;

/** A proxy to the real server that cuts every connection once it asks for the snapshot (SYNC). */
function startCuttingProxy(target: URL): Promise<Server> {
  const server = createServer((client: Socket) => {
    client.on('error', () => {});
    const upstream = connect(Number(target.port), target.hostname);
    upstream.on('error', () => client.destroy());
    client.on('data', (data: Buffer) => {
      if (/SYNC/i.test(data.toString('latin1'))) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => client.write(data));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis({ password: 'cache pass' })]);
  await pg.createDatabase('shop');
  await pg.query('CREATE TABLE sessions (id int PRIMARY KEY); INSERT INTO sessions SELECT generate_series(1, 1000)', [], 'shop');
  proxy = await startCuttingProxy(new URL(redis.url()));
  proxyPort = (proxy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await Promise.allSettled([pg?.stop(), redis?.stop()]);
});

const STACK = (mode: string) => `stack: shop
store: \${STACK_STORE}
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
  - name: cache
    engine: redis
    settings:
      redis-url: \${CACHE_REDIS_URL}
      redis-mode: ${mode}
`;

async function backUpWithCache(cacheUrl: string, mode = 'rdb'): Promise<string> {
  const folder = freshFolder('lifeboat-stack-');
  try {
    const file = join(folder, 'lifeboat.yml');
    writeFileSync(file, STACK(mode));
    const context = testContext({ STACK_STORE: join(folder, 'store'), APP_DATABASE_URL: pg.url('shop'), CACHE_REDIS_URL: cacheUrl });
    const options = resolveOptions(backupOperation, withStackStore(objectSource({ stack: file, passphrase: 'stack test passphrase, long enough', 'create-store': 'true' }), context.env));
    const outcome = await backupStack(options, context);
    expect(outcome.ok).toBe(false);
    return outcome.failure ?? '';
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('a stack member whose Redis is unreachable', () => {
  it(`fails with the unreachable-server message and its fix, never EPIPE (${RUNS} runs)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const failure = await backUpWithCache('redis://:cache%20pass@127.0.0.1:1');
      expect(failure).toMatch(/^Stack shop is incomplete: cache failed: Nothing accepts connections at (\*\*\*|redis:\/\/127\.0\.0\.1:1) \(connection refused\)\. Check the host and port/);
      expect(failure).not.toMatch(/EPIPE/);
    }
  }, 240_000);

  it('cut when it asks for the snapshot: a clean Redis error naming the member, never EPIPE', async () => {
    for (let run = 0; run < 5; run++) {
      const failure = await backUpWithCache(`redis://:cache%20pass@127.0.0.1:${proxyPort}`);
      expect(failure).toMatch(/^Stack shop is incomplete: cache failed: .*closed the (replication )?connection/);
      expect(failure).not.toMatch(/EPIPE/);
    }
  }, 240_000);
});

describe('the redis-cli helper of the test servers', () => {
  // It fed an empty stdin to every redis-cli; one that exited first left an EPIPE no one
  // handled, failing whichever test file was running. Vitest fails the run on such an error.
  it('runs many quick commands without a stray EPIPE', async () => {
    for (let batch = 0; batch < 60; batch++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => redis.cli(['SET', `k${batch}:${i}`, 'v'])));
    }
    expect(await redis.cli(['GET', 'k59:7'])).toContain('v');
  }, 240_000);
});
