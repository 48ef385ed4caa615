/**
 * Lifeboat's own RESP2 command connection against a real redis-server: pipelined calls get
 * their own replies in order, replies spanning many socket reads arrive whole, an error reply
 * fails only its call, and a connection that dies fails every call still waiting.
 */
import { createServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, isErrorReply, withClient } from '../../packages/core/src/engines/redis/client.js';
import { parseRedisUrl } from '../../packages/core/src/engines/redis/connection.js';
import { startRedis, testPassword, type RedisServer } from '../services/redis.js';

let server: RedisServer;
const password = testPassword();

beforeAll(async () => {
  server = await startRedis({ password });
});
afterAll(async () => {
  await server?.stop();
});

const url = () => parseRedisUrl(server.url(), {}, 'redis-url');

describe('Redis command connection', () => {
  it('pipelines thousands of calls and matches every reply to its call, binary values intact', async () => {
    await withClient(url(), async (client) => {
      const values = Array.from({ length: 3000 }, (_, i) => randomBytes(i % 7 === 0 ? 70_000 : (i % 50) + 1));
      await Promise.all(values.map((value, i) => client.send(['SET', `k:${i}`, value])));
      const back = (await Promise.all(values.map((_, i) => client.sendBuffers(['GET', `k:${i}`])))) as Buffer[];
      back.forEach((value, i) => expect(value.equals(values[i]!), `value ${i}`).toBe(true));
      expect(await client.send(['DBSIZE'])).toBe(3000);
      expect(await client.send(['GET', 'absent'])).toBeNull();
      expect(await client.send(['MGET', 'k:1', 'absent'])).toEqual([values[1]!.toString('utf8'), null]);
    });
  });

  it('a reply of 40 MiB, arriving in many reads, comes back whole', async () => {
    await withClient(url(), async (client) => {
      const big = randomBytes(40 << 20);
      await client.send(['SET', 'big', big]);
      const [before, value, after] = (await Promise.all([client.send(['PING']), client.sendBuffers(['GET', 'big']), client.send(['ECHO', 'after'])])) as [string, Buffer, string];
      expect(before).toBe('PONG');
      expect(value.equals(big)).toBe(true);
      expect(after).toBe('after');
    });
  });

  it('an error reply fails its own call only, named as the server said it', async () => {
    await withClient(url(), async (client) => {
      await client.send(['SET', 'text', 'x']);
      const [ok, wrong, next] = await Promise.allSettled([client.send(['GET', 'text']), client.send(['LPUSH', 'text', 'y']), client.send(['ECHO', 'still here'])]);
      expect(ok).toEqual({ status: 'fulfilled', value: 'x' });
      expect(next).toEqual({ status: 'fulfilled', value: 'still here' });
      expect(wrong.status).toBe('rejected');
      const error = (wrong as PromiseRejectedResult).reason as Error;
      expect(error.message).toMatch(/LPUSH failed on .*WRONGTYPE/);
      expect(isErrorReply(error)).toBe(true);
    });
  });

  it('a pipelined batch resolves with every reply in order, or rejects with its first error reply and leaves the connection in step', async () => {
    await withClient(url(), async (client) => {
      await client.send(['SET', 'p:a', 'alpha']);
      await client.send(['SET', 'p:list-not', 'x']);
      const replies = await client.pipeline([['GET', 'p:a'], ['EXISTS', 'p:a'], ['GET', 'p:none'], ['PING']]);
      expect(replies.map((r) => (Buffer.isBuffer(r) ? r.toString() : r))).toEqual(['alpha', 1, null, 'PONG']);
      await expect(client.pipeline([['GET', 'p:a'], ['LLEN', 'p:list-not'], ['HGET', 'p:a', 'f']])).rejects.toThrow(/LLEN failed on .*WRONGTYPE/);
      expect(await client.send(['ECHO', 'in step'])).toBe('in step');
      expect(await client.pipeline([])).toEqual([]);
    });
  });

  it('a wrong password is refused at login, naming the user', async () => {
    await expect(connectClient(parseRedisUrl(server.url({ password: 'not-it' }), {}, 'redis-url'))).rejects.toThrow(/refused the login of user 'default'/);
    const anonymous = await connectClient(parseRedisUrl(`redis://127.0.0.1:${server.port}`, {}, 'redis-url'));
    await expect(anonymous.send(['DBSIZE'])).rejects.toThrow(/requires a password and none was given/);
    await anonymous.close();
  });

  it('a connection that drops fails every call still waiting, and later calls at once', async () => {
    // A protocol-level stand-in that answers AUTH-less PING once, then hangs up mid-reply.
    const sockets = new Set<Socket>();
    const peer = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', () => socket.write('+PONG\r\n$10\r\nabc'));
      setTimeout(() => socket.destroy(), 100);
    });
    await new Promise<void>((done) => peer.listen(0, '127.0.0.1', done));
    const port = (peer.address() as { port: number }).port;
    try {
      const client = await connectClient(parseRedisUrl(`redis://127.0.0.1:${port}`, {}, 'redis-url'));
      const calls = await Promise.allSettled([client.send(['PING']), client.send(['GET', 'x']), client.send(['GET', 'y'])]);
      expect(calls[0]).toEqual({ status: 'fulfilled', value: 'PONG' });
      expect(calls[1]!.status).toBe('rejected');
      expect(calls[2]!.status).toBe('rejected');
      expect(String((calls[1] as PromiseRejectedResult).reason.message)).toMatch(/127\.0\.0\.1/);
      expect(isErrorReply((calls[1] as PromiseRejectedResult).reason)).toBe(false);
      await expect(client.send(['PING'])).rejects.toBe((calls[1] as PromiseRejectedResult).reason);
      await client.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => peer.close(done));
    }
  });
});
