/**
 * The sample keyspace the Redis tests back up: keys of every type in three databases, in
 * both the compact encodings (listpacks, intsets) and the large ones (hash tables, skip
 * lists, quicklists of several nodes), long values that Redis LZF-compresses, integers,
 * streams with consumer groups and pending entries, and TTLs on some keys.
 */
import type { RedisServer, TestClient } from '../services/redis.js';

/** Keys and keys with a TTL in one database. */
export interface DbCounts {
  readonly keys: number;
  readonly expires: number;
}

/** How many keys `fillSample` writes, per database. */
export const SAMPLE_LAYOUT: Readonly<Record<number, number>> = { 0: 50_000, 1: 30_000, 2: 20_000 };
export const SAMPLE_KEYS = Object.values(SAMPLE_LAYOUT).reduce((a, b) => a + b, 0);

/** Every TTL this sample sets is an hour: nothing expires during a test. */
const TTL_SECONDS = 3600;

/**
 * Fills databases 0, 1 and 2 with `scale` times the layout (1: 100,000 keys). Every
 * seventh key has a TTL. Returns the counts per database.
 */
export async function fillSample(server: RedisServer, scale = 1): Promise<Record<number, DbCounts>> {
  const client = await server.client();
  const counts: Record<number, DbCounts> = {};
  try {
    for (const [dbText, size] of Object.entries(SAMPLE_LAYOUT)) {
      const db = Number(dbText);
      await client.select(db);
      const total = Math.round(size * scale);
      let expires = 0;
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        batch.push(...writeKey(client, db, i));
        if (i % 7 === 3) {
          batch.push(client.expire(keyName(db, i), TTL_SECONDS));
          expires++;
        }
        if (batch.length >= 2000) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
      counts[db] = { keys: total, expires };
    }
  } finally {
    await client.close();
  }
  return counts;
}

/** The name of key `i` of database `db`; its type follows from `i`. */
export function keyName(db: number, i: number): string {
  return `${KINDS[i % KINDS.length]}:${db}:${i}`;
}

const KINDS = ['str', 'int', 'long', 'hash', 'bighash', 'list', 'biglist', 'set', 'intset', 'bigset', 'zset', 'bigzset', 'stream'] as const;

function writeKey(client: TestClient, db: number, i: number): Promise<unknown>[] {
  const key = keyName(db, i);
  switch (KINDS[i % KINDS.length]) {
    case 'str':
      return [client.set(key, `value ${i}`)];
    case 'int':
      return [client.set(key, String(i * 7))];
    case 'long':
      return [client.set(key, `${'a long compressible value '.repeat(8)}${i}`)];
    case 'hash':
      return [client.hSet(key, { name: `user ${i}`, email: `user${i}@example.test`, visits: String(i) })];
    case 'bighash':
      // Over 128 fields: a hash table, written field by field in the RDB.
      return i % 10 === 4 ? [client.hSet(key, Object.fromEntries(Array.from({ length: 200 }, (_, f) => [`field${f}`, `v${f}-${i}`])))] : [client.hSet(key, 'one', 'field')];
    case 'list':
      return [client.rPush(key, ['a', 'b', String(i)])];
    case 'biglist':
      return i % 10 === 6 ? [client.rPush(key, Array.from({ length: 3000 }, (_, n) => `item ${n} of ${i}`))] : [client.lPush(key, 'x')];
    case 'set':
      return [client.sAdd(key, ['red', 'green', `c${i}`])];
    case 'intset':
      return [client.sAdd(key, ['1', '2', String(i)])];
    case 'bigset':
      return i % 10 === 9 ? [client.sAdd(key, Array.from({ length: 300 }, (_, n) => `member-${n}-${i}`))] : [client.sAdd(key, 'only')];
    case 'zset':
      return [client.zAdd(key, [{ score: 1, value: 'one' }, { score: i, value: `m${i}` }])];
    case 'bigzset':
      return i % 10 === 1 ? [client.zAdd(key, Array.from({ length: 300 }, (_, n) => ({ score: n / 3, value: `z${n}` })))] : [client.zAdd(key, { score: 0.5, value: 'half' })];
    case 'stream': {
      const writes: Promise<unknown>[] = [client.xAdd(key, '*', { event: 'created', n: String(i) }), client.xAdd(key, '*', { event: 'updated', n: String(i) })];
      if (i % 10 === 2) {
        writes.push(client.xGroupCreate(key, 'workers', '0'));
        writes.push(client.xReadGroup('workers', 'alice', { key, id: '>' }, { COUNT: 1 }));
      }
      return writes;
    }
    default:
      throw new Error(`no writer for key ${key}`);
  }
}

/** A few keys and their values, to compare a restored server with the source. */
export const SAMPLE_PROBES: readonly { db: number; key: string; command: string[] }[] = [
  { db: 0, key: keyName(0, 0), command: ['GET', keyName(0, 0)] },
  { db: 0, key: keyName(0, 2), command: ['GET', keyName(0, 2)] },
  { db: 0, key: keyName(0, 3), command: ['HGETALL', keyName(0, 3)] },
  { db: 0, key: keyName(0, 4), command: ['HLEN', keyName(0, 4)] },
  { db: 1, key: keyName(1, 6), command: ['LRANGE', keyName(1, 6), '0', '-1'] },
  { db: 1, key: keyName(1, 9), command: ['SMEMBERS', keyName(1, 9)] },
  { db: 2, key: keyName(2, 11), command: ['ZRANGE', keyName(2, 11), '0', '-1', 'WITHSCORES'] },
  { db: 2, key: keyName(2, 12), command: ['XRANGE', keyName(2, 12), '-', '+'] },
  { db: 2, key: keyName(2, 12), command: ['XINFO', 'GROUPS', keyName(2, 12)] },
];

/** DBSIZE of every database and the probes' replies, for comparing two servers. */
export async function snapshotOf(client: TestClient): Promise<{ sizes: Record<number, number>; probes: unknown[] }> {
  const sizes: Record<number, number> = {};
  for (const db of [0, 1, 2]) {
    await client.select(db);
    sizes[db] = await client.dbSize();
  }
  const probes: unknown[] = [];
  for (const probe of SAMPLE_PROBES) {
    await client.select(probe.db);
    const reply = await client.sendCommand(probe.command);
    // A large set's members come in hash-table order, which differs between servers.
    probes.push(probe.command[0] === 'SMEMBERS' && Array.isArray(reply) ? [...reply].map(String).sort() : reply);
  }
  await client.select(0);
  return { sizes, probes };
}
