import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpPayload, RdbReader, type RdbEntry } from '../../packages/core/src/engines/redis/rdb-reader.js';
import { RedisSnapshotCorruptError } from '../../packages/core/src/engines/redis/errors.js';
import { startRedis, type RedisServer } from '../services/redis.js';
import { fillSample, type DbCounts } from './sample.js';

let server: RedisServer;
let rdb: Buffer;
let expected: Record<number, DbCounts>;

beforeAll(async () => {
  server = await startRedis();
  expected = await fillSample(server, 0.1);
  const client = await server.client();
  try {
    await client.functionLoad("#!lua name=lifeboat_test\nredis.register_function('hello', function() return 'hi' end)");
    await client.sendCommand(['SAVE']);
  } finally {
    await client.close();
  }
  rdb = readFileSync(join(server.dir, 'dump.rdb'));
});
afterAll(async () => {
  await server?.stop();
});

function read(bytes: Buffer, chunk: (i: number) => number, options?: ConstructorParameters<typeof RdbReader>[0]) {
  const reader = new RdbReader(options);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunk(i));
    reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  return reader.end();
}

describe('RdbReader on a snapshot written by redis-server 7', () => {
  it('counts the keys and the keys with a TTL of every database, and verifies the CRC-64', () => {
    const summary = read(rdb, () => 65536);
    expect(summary.checksum).toBe('verified');
    expect(summary.rdbVersion).toBeGreaterThanOrEqual(10);
    expect(summary.aux['redis-ver']).toMatch(/^7\./);
    expect(summary.functions).toBe(1);
    expect(summary.bytes).toBe(rdb.length);
    for (const [db, counts] of Object.entries(expected)) {
      const found = summary.databases.find((d) => d.db === Number(db))!;
      expect({ keys: found.keys, expires: found.expires }).toEqual(counts);
      // Redis announces the exact sizes in RESIZEDB; the count agrees with it.
      expect(found.announced).toEqual(counts);
    }
    const types = summary.databases[0]!.types;
    expect(Object.keys(types).sort()).toEqual(['hash', 'list', 'set', 'stream', 'string', 'zset']);
  });

  it('gives the same result whatever the chunk sizes', () => {
    const whole = read(rdb, () => rdb.length);
    for (const pattern of [() => 1, (i: number) => (i * 7919) % 97, (i: number) => (i % 3 === 0 ? 8 : 4093)]) {
      expect(read(rdb, pattern)).toEqual(whole);
    }
  });

  it('hands out every key with a value that RESTORE accepts and that equals what DUMP gives', async () => {
    const entries: RdbEntry[] = [];
    const summary = read(rdb, (i) => 1000 + (i % 5000), { onEntry: (e) => entries.push(e) });
    expect(entries.length).toBe(Object.values(expected).reduce((a, c) => a + c.keys, 0));
    const client = await server.client();
    try {
      for (const entry of entries.filter((_, i) => i % 37 === 0)) {
        await client.select(entry.db);
        const dumped = (await client.buffers.sendCommand(['DUMP', entry.key])) as Buffer;
        expect(dumpPayload(entry.type, entry.value, summary.rdbVersion).equals(dumped), entry.key.toString()).toBe(true);
      }
    } finally {
      await client.close();
    }
  });

  it('says the snapshot ends short when it is cut anywhere', () => {
    for (const cut of [0, 5, 9, 100, Math.floor(rdb.length / 2), rdb.length - 9, rdb.length - 1]) {
      expect(() => read(rdb.subarray(0, cut), () => 4096), `cut at ${cut}`).toThrow(/ends short/);
    }
  });

  it('names a checksum mismatch when one byte of a value changed', () => {
    const flipped = Buffer.from(rdb);
    // A byte inside the keyspace, away from the structure bytes the reader needs.
    const at = flipped.indexOf('a long compressible value') + 3;
    expect(at).toBeGreaterThan(3);
    flipped[at]! ^= 0x01;
    expect(() => read(flipped, () => 65536)).toThrow(RedisSnapshotCorruptError);
    expect(() => read(flipped, () => 65536)).toThrow(/CRC-64 does not match/);
  });

  it('refuses bytes that are not an RDB and bytes after the end', () => {
    expect(() => read(Buffer.from('NOTREDIS0011 and more bytes'), () => 100)).toThrow(/does not start with REDIS/);
    expect(() => read(Buffer.concat([rdb, Buffer.from('x')]), () => 65536)).toThrow(/after the RDB's end-of-file/);
  });
});
