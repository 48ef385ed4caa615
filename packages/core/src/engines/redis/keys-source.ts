import { Readable } from 'node:stream';
import { connectClient, type CommandClient } from './client.js';
import { describeRedis } from './connection.js';
import { RedisProtocolError } from './errors.js';
import { readServerFacts, type ServerFacts } from './info.js';
import { encodeEnd, encodeFunctions, encodeHeader, encodeSelect, keyRecordSize, payloadInfo, writeKey } from './keys-format.js';
import { RDB_TYPE_NAMES } from './rdb-reader.js';
import type { ModeRun, RedisBackupSettings } from './source.js';
import type { RedisDatabaseStats, RedisStats } from './stats.js';

/**
 * Keys whose DUMP and expiry go out in one write, whatever SCAN's batch size. More is not
 * faster (one round trip per 100 keys already keeps the server busy) and holds more: at 200
 * keys of 4 KiB a backup peaked about 50 MiB higher.
 */
const DUMP_SLICE = 100;

/**
 * `redis-mode: keys`: every key of every database with SCAN, then DUMP and its absolute
 * expiry (PEXPIRETIME; PTTL plus the clock before Redis 7), written as a record file. Keys
 * are read while the server keeps changing, so this is not a point-in-time snapshot: a key
 * written or deleted during the backup may or may not be in it. Batches are pipelined, and
 * the next SCAN waits while the reader is behind.
 */
export function startKeysDump(settings: RedisBackupSettings, server: ServerFacts, signal: AbortSignal): ModeRun {
  const batch = settings.scanCount ?? 1000;
  let wake: (() => void) | undefined;
  let stopped: Error | undefined;
  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      wake?.();
    },
  });
  const write = async (bytes: Buffer) => {
    if (stopped) throw stopped;
    if (stream.push(bytes)) return;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    if (stopped) throw stopped;
  };
  const abort = (reason?: Error) => {
    stopped ??= reason ?? new Error('The keys backup was stopped.');
    wake?.();
  };
  const onAbort = () => abort(signal.reason instanceof Error ? signal.reason : undefined);
  signal.addEventListener('abort', onAbort, { once: true });

  const result = (async () => {
    let client: Awaited<ReturnType<typeof connectClient>> | undefined;
    try {
      const connected = await connectClient(settings.connection, { connectTimeoutMs: settings.connectTimeoutMs });
      client = connected;
      const facts = await readServerFacts(connected);
      const absolute = facts.major >= 7;
      const databases: RedisDatabaseStats[] = [];
      let count = 0;
      let vanished = 0;
      let rdbVersion = 0;
      await write(encodeHeader());
      const functions = absolute ? await functionLibraries(connected, settings) : undefined;
      if (functions) await write(encodeFunctions(functions.payload));
      for (const { db } of facts.keyspace) {
        await connected.send(['SELECT', String(db)]);
        await write(encodeSelect(db));
        const stats = { db, keys: 0, expires: 0, types: {} as Record<string, number> };
        let cursor = '0';
        do {
          const reply = (await connected.sendBuffers(['SCAN', cursor, 'COUNT', String(batch)])) as [Buffer, Buffer[]];
          if (!Array.isArray(reply) || reply.length !== 2) throw new RedisProtocolError(`${describeRedis(settings.connection)} answered SCAN with something that is not a cursor and keys.`);
          const keys = reply[1];
          // Pipelined in slices: every DUMP and expiry of a slice leaves in one write, and
          // only one slice of payloads is held at a time.
          for (let from = 0; from < keys.length; from += DUMP_SLICE) {
            const slice = keys.slice(from, from + DUMP_SLICE);
            const now = Date.now();
            const replies = await connected.pipeline(slice.flatMap((key) => [['DUMP', key], [absolute ? 'PEXPIRETIME' : 'PTTL', key]]));
            const kept: { key: Buffer; payload: Buffer; expireAt: number | undefined }[] = [];
            let size = 0;
            slice.forEach((key, i) => {
              const payload = replies[2 * i] as Buffer | null;
              const expiry = replies[2 * i + 1] as number;
              // Gone (deleted, or expired) between SCAN and DUMP.
              if (payload === null || expiry === -2) {
                vanished++;
                return;
              }
              const expireAt = expiry >= 0 ? (absolute ? expiry : now + expiry) : undefined;
              const info = payloadInfo(payload);
              rdbVersion = Math.max(rdbVersion, info.rdbVersion);
              const type = RDB_TYPE_NAMES[info.type] ?? `type-${info.type}`;
              stats.types[type] = (stats.types[type] ?? 0) + 1;
              stats.keys++;
              if (expireAt !== undefined) stats.expires++;
              kept.push({ key, payload, expireAt });
              size += keyRecordSize(key, payload);
            });
            count += kept.length;
            // The slice's records in one buffer, written straight from the replies.
            const out = Buffer.allocUnsafe(size);
            let at = 0;
            for (const record of kept) at = writeKey(out, at, record.key, record.expireAt, record.payload);
            if (size > 0) await write(out);
          }
          cursor = reply[0].toString('latin1');
        } while (cursor !== '0');
        databases.push(stats);
      }
      await write(encodeEnd(count));
      settings.reporter?.info(
        `Keys of ${describeRedis(settings.connection)}: ${count} keys in ${databases.length} database(s)${vanished > 0 ? `, ${vanished} gone between SCAN and DUMP` : ''}.`,
      );
      const stats: RedisStats = { mode: 'keys', databases, rdbVersion, serverVersion: server.version, functions: functions?.libraries ?? 0, vanished };
      return { stats, rdbVersion, transfer: 'scan' as const };
    } catch (error) {
      throw stopped ?? error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.push(null);
      await client?.close();
    }
  })();
  result.catch(() => {});
  return { stream, result, abort };
}

/** Every function library (Redis 7+) as FUNCTION DUMP gives them; undefined when there are none or the user may not dump them. */
async function functionLibraries(client: CommandClient, settings: RedisBackupSettings): Promise<{ payload: Buffer; libraries: number } | undefined> {
  try {
    const libraries = (await client.send(['FUNCTION', 'LIST'])) as unknown[];
    if (!Array.isArray(libraries) || libraries.length === 0) return undefined;
    const payload = (await client.sendBuffers(['FUNCTION', 'DUMP'])) as Buffer;
    return { payload, libraries: libraries.length };
  } catch (error) {
    settings.reporter?.warning(`Function libraries are not in this backup: ${(error as Error).message} (grant \`+function|list +function|dump\` to back them up).`);
    return undefined;
  }
}
