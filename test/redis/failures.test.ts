import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '@lifeboat/core';
import {
  RedisAuthError,
  RedisLoadingError,
  RedisNoAuthError,
  RedisPermissionError,
  RedisReplicationRefusedError,
  RedisSnapshotCorruptError,
  RedisSnapshotCutError,
  RedisTlsError,
  RedisUnreachableError,
} from '../../packages/core/src/engines/redis/errors.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { createTestCa, startRedis, type RedisServer, type TestCa } from '../services/redis.js';
import { startReplicationPeer } from './replication-peer.js';
import { fillSample } from './sample.js';
import { backupRedis, backupsIn, freshFolder } from './support.js';

const PASSWORD = 'right-pass/@:';
let server: RedisServer;
let ca: TestCa;
let tlsServer: RedisServer;
let rdb: Buffer;
const folders: string[] = [];

beforeAll(async () => {
  ca = await createTestCa();
  [server, tlsServer] = await Promise.all([
    startRedis({
      password: PASSWORD,
      users: [
        { name: 'reader', password: 'reader-pass', rules: '~* &* -@all +@read +info +ping +select' },
        { name: 'nodump', password: 'nodump-pass', rules: '~* &* -@all +info +ping +select +scan' },
        { name: 'off', password: 'off-pass', rules: 'off ~* +@all' },
      ],
    }),
    startRedis({ tls: ca }),
  ]);
  await fillSample(server, 0.2);
  const client = await server.client();
  await client.sendCommand(['SAVE']);
  await client.close();
  rdb = readFileSync(join(server.dir, 'dump.rdb'));
});
afterAll(async () => {
  await Promise.allSettled([server?.stop(), tlsServer?.stop()]);
  await ca?.cleanup();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const path = freshFolder();
  folders.push(path);
  return path;
}

/** Runs a backup to a fresh folder and returns its error; asserts no complete backup exists. */
async function failingBackup(test: Omit<Parameters<typeof backupRedis>[0], 'store'>): Promise<Error> {
  const store = folder();
  const error = await backupRedis({ ...test, store: { store } }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'the backup must fail').toBeInstanceOf(Error);
  expect(backupsIn(store, test.name ?? "cache"), `${error?.message} ${JSON.stringify(filesIn(store))}`).toEqual({ complete: [], partial: [] });
  return error!;
}

describe('Redis backup failures, each with its own message and no manifest', () => {
  it('a wrong password: WRONGPASS, naming the user and the fix, the password redacted', async () => {
    const error = await failingBackup({ url: server.url({ password: 'wrong-pass/x' }) });
    expect(error).toBeInstanceOf(RedisAuthError);
    expect(describeError(error)).toMatch(/refused the login of user 'default'.*WRONGPASS.*Check the user name and password/);
    expect(describeError(error)).not.toContain('wrong-pass');
  });

  it('a disabled ACL user: WRONGPASS', async () => {
    expect(await failingBackup({ url: server.url({ user: 'off', password: 'off-pass' }) })).toBeInstanceOf(RedisAuthError);
  });

  it('no password for a server that needs one: NOAUTH', async () => {
    const error = await failingBackup({ url: `redis://127.0.0.1:${server.port}` });
    expect(error).toBeInstanceOf(RedisNoAuthError);
    expect(describeError(error)).toMatch(/requires a password.*Put the password in the URL/);
  });

  it('an ACL user without replication rights: rdb mode fails naming `redis-mode: keys`, keys mode succeeds', async () => {
    const url = server.url({ user: 'reader', password: 'reader-pass' });
    const error = await failingBackup({ url });
    expect(error).toBeInstanceOf(RedisReplicationRefusedError);
    expect(describeError(error)).toMatch(/does not let user 'reader' replicate: NOPERM.*redis-mode: keys/);

    const store = folder();
    const result = await backupRedis({ url, mode: 'keys', store: { store } });
    expect(result.manifest.source).toMatchObject({ mode: 'keys', pointInTime: false });
    expect(backupsIn(store, 'cache').complete).toEqual([result.manifest.id]);
  });

  it('keys mode with a user that may not DUMP: names the commands keys mode needs', async () => {
    const error = await failingBackup({ url: server.url({ user: 'nodump', password: 'nodump-pass' }), mode: 'keys' });
    expect(error).toBeInstanceOf(RedisPermissionError);
    expect(describeError(error)).toMatch(/may not run DUMP.*\+dump/);
  });

  it('nothing listening: unreachable', async () => {
    const closed = await startRedis();
    const port = closed.port;
    await closed.stop();
    const error = await failingBackup({ url: `redis://127.0.0.1:${port}` });
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect(describeError(error)).toMatch(/connection refused/);
  });

  it('a server still loading its dataset: LOADING', async () => {
    // Slow loading (300 µs a key, ~6 s), and the server answering clients every KiB it loads, not
    // every 2 MiB: otherwise it may not answer at all until loading is over.
    const loading = await startRedis({
      rdbFile: join(server.dir, 'dump.rdb'),
      config: { 'key-load-delay': '300', 'loading-process-events-interval-bytes': '1024' },
      waitForLoad: false,
    });
    try {
      const error = await failingBackup({ url: loading.url() });
      expect(error).toBeInstanceOf(RedisLoadingError);
      expect(describeError(error)).toMatch(/still loading.*Retry once the server has finished loading/);
    } finally {
      await loading.stop();
    }
  });

  it('the master closing the replication connection mid-snapshot (as at its replica output-buffer limit)', async () => {
    const error = await failingBackup({
      url: server.url(),
      // A slow store: the transfer waits on it, and the server drops the replica meanwhile.
      wrapStore: (store) => killReplicaDuringPut(store, server),
    });
    expect(error).toBeInstanceOf(RedisSnapshotCutError);
    expect(describeError(error)).toMatch(/closed the replication connection after \d+ bytes.*client-output-buffer-limit replica.*repl-timeout/);
  });

  it('a snapshot that arrives whole on the wire but whose RDB ends short (protocol-level stand-in)', async () => {
    for (const framing of ['bulk', 'eof-marker'] as const) {
      const peer = await startReplicationPeer({ rdb: rdb.subarray(0, rdb.length - 100), framing });
      try {
        const error = await failingBackup({ url: server.url().replace(`:${server.port}`, `:${peer.port}`), name: `short-${framing}` });
        expect(error).toBeInstanceOf(RedisSnapshotCorruptError);
        expect(describeError(error)).toMatch(/ends short/);
        expect(peer.commands.slice(-4)).toEqual(['AUTH', 'REPLCONF', 'REPLCONF', 'SYNC']);
      } finally {
        await peer.close();
      }
    }
  });
});

/** A store whose payload upload pauses after the first bytes while the server kills replica connections. */
function killReplicaDuringPut(store: Store, redis: RedisServer): Store {
  // Everything else is the real store's (its methods live on its prototype).
  const wrapped = Object.create(store) as Store;
  wrapped.put = async (key, body: Readable, options) => {
    if (!key.endsWith('.pgp') || key.includes('stats')) return store.put(key, body, options);
    body.pause();
    await new Promise<void>((resolve) => body.once('readable', () => resolve()));
    await redis.cli(['CLIENT', 'KILL', 'TYPE', 'replica']);
    return store.put(key, body, options);
  };
  return wrapped;
}

describe('Redis backup stopped by the store', () => {
  it('a store that fails mid-upload: the backup fails with the store\'s error and the replication connection is closed', async () => {
    const error = await failingBackup({
      url: server.url(),
      wrapStore: (store) => {
        const wrapped = Object.create(store) as Store;
        wrapped.put = async (key, body, options) => {
          if (!key.endsWith('dump.rdb.pgp')) return store.put(key, body, options);
          for await (const _chunk of body) throw new Error('the disk is full (simulated by the test store)');
          throw new Error('unreachable');
        };
        return wrapped;
      },
    });
    expect(describeError(error)).toMatch(/disk is full/);
    // The master no longer has Lifeboat as a replica.
    await expect.poll(async () => (await server.cli(['CLIENT', 'LIST', 'TYPE', 'replica'])).trim(), { timeout: 10_000 }).toBe('');
  });
});

describe('Redis backup of a damaged snapshot', () => {
  it('a snapshot with one byte changed on the wire fails on its CRC-64 (protocol-level stand-in)', async () => {
    const flipped = Buffer.from(rdb);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
    const peer = await startReplicationPeer({ rdb: flipped, framing: 'eof-marker' });
    try {
      const error = await failingBackup({ url: server.url().replace(`:${server.port}`, `:${peer.port}`) });
      expect(error).toBeInstanceOf(RedisSnapshotCorruptError);
      expect(describeError(error)).toMatch(/CRC-64 does not match|not a valid RDB/);
    } finally {
      await peer.close();
    }
  });
});

describe('TLS failures', () => {
  it('an untrusted CA', async () => {
    const error = await failingBackup({ url: tlsServer.url() });
    expect(error).toBeInstanceOf(RedisTlsError);
    expect(describeError(error)).toMatch(/TLS to rediss:\/\/127\.0\.0\.1:\d+ failed: .*CA.*redis-tls-ca/);
  });

  it('a certificate that does not name the host', async () => {
    const error = await failingBackup({ url: tlsServer.url(), tls: { redisTlsCa: ca.caCert, redisTlsServername: 'cache.example.test' } });
    expect(error).toBeInstanceOf(RedisTlsError);
    expect(describeError(error)).toMatch(/does not name the host.*redis-tls-servername/);
  });

  it('rediss:// to a plain port, and redis:// to a TLS port', async () => {
    const plain = await failingBackup({ url: server.url().replace('redis://', 'rediss://'), tls: { redisTlsCa: ca.caCert }, settings: { connectTimeoutMs: 2000 } });
    expect(plain).toBeInstanceOf(RedisTlsError);
    expect(describeError(plain)).toMatch(/not speak TLS: use redis:\/\//);
    const tlsPort = await failingBackup({ url: tlsServer.url().replace('rediss://', 'redis://'), settings: { connectTimeoutMs: 2000 } });
    expect(describeError(tlsPort)).toMatch(/rediss:\/\//);
  });
});

function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}
