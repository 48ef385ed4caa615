import { describeRedis } from './connection.js';
import type { ServerFacts } from './info.js';
import { RdbReader } from './rdb-reader.js';
import { requestSnapshot } from './replication.js';
import type { ModeRun, RedisBackupSettings } from './source.js';
import type { RedisStats } from './stats.js';

/**
 * `redis-mode: rdb`: the server's snapshot over replication, read as it passes: the RDB
 * reader counts keys and TTLs per database and checks the CRC-64, and a snapshot that is cut,
 * short or damaged rejects the result (so no manifest is written).
 */
export async function startRdbTransfer(settings: RedisBackupSettings, server: ServerFacts, signal: AbortSignal): Promise<ModeRun> {
  const reader = new RdbReader();
  const transfer = await requestSnapshot(settings.connection, {
    signal,
    idleTimeoutMs: settings.idleTimeoutMs,
    replyTimeoutMs: settings.connectTimeoutMs,
    inspect: (piece) => reader.push(piece),
    debug: (message) => settings.reporter?.debug(message),
  });
  const result = (async () => {
    const facts = await transfer.done;
    const summary = reader.end();
    const ctime = Number(summary.aux.ctime);
    const stats: RedisStats = {
      mode: 'rdb',
      databases: summary.databases.map(({ db, keys, expires, types }) => ({ db, keys, expires, types })),
      rdbVersion: summary.rdbVersion,
      serverVersion: summary.aux['redis-ver'] ?? server.version,
      functions: summary.functions,
      checksum: summary.checksum,
      ...(Number.isFinite(ctime) ? { snapshotTime: ctime } : {}),
    };
    const keys = stats.databases.reduce((sum, d) => sum + d.keys, 0);
    settings.reporter?.info(
      `Snapshot of ${describeRedis(settings.connection)}: ${facts.bytes} bytes, RDB version ${summary.rdbVersion}, ${keys} keys in ${stats.databases.length} database(s), checksum ${summary.checksum}.`,
    );
    if (summary.checksum === 'absent') settings.reporter?.warning('The server writes RDB files without a checksum (rdbchecksum no); Lifeboat could not verify the snapshot\'s own CRC-64.');
    return { stats, rdbVersion: summary.rdbVersion, transfer: facts.framing };
  })();
  result.catch(() => {});
  return { stream: transfer.stream, result, abort: (reason) => transfer.abort(reason) };
}
