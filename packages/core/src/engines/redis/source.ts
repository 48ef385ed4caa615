import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Reporter } from '../../report/reporter.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { connectClient } from './client.js';
import { describeRedis, type RedisConnection } from './connection.js';
import { assertLoaded, parseInfo, readServerFacts, type ServerFacts } from './info.js';
import { startKeysDump } from './keys-source.js';
import { REDIS_PAYLOAD_FILES, type RedisManifestSection } from './manifest.js';
import { startRdbTransfer } from './rdb-source.js';
import type { RedisStats } from './stats.js';
import { assertZstdAvailable, zstdFilter } from './zstd.js';

/** Everything a Redis backup needs to know. */
export interface RedisBackupSettings {
  readonly connection: RedisConnection;
  /** Default `rdb`. */
  readonly mode?: 'rdb' | 'keys';
  /** Default `none`. */
  readonly compression?: 'none' | 'zstd';
  /** keys mode: SCAN COUNT; default 1000. */
  readonly scanCount?: number;
  readonly reporter?: Reporter;
  /** Longest silence in the middle of an rdb transfer; default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Time to connect (TLS handshake included) and for each handshake reply; default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Environment the zstd program inherits the allow-listed part of; default this process's. */
  readonly env?: Record<string, string | undefined>;
}

/** A prepared Redis source: login checked, server facts known. */
export interface RedisSource extends BackupSource {
  readonly kind: 'redis';
  readonly server: ServerFacts;
  readonly mode: 'rdb' | 'keys';
}

/** What one mode's producer hands back: the plaintext payload and its facts once complete. */
export interface ModeRun {
  readonly stream: Readable;
  /** Resolves with the stats and the mode's part of the manifest once the payload is whole. */
  readonly result: Promise<{ stats: RedisStats; rdbVersion: number; transfer: RedisManifestSection['transfer'] }>;
  abort(reason?: Error): void;
}

/**
 * Prepares a backup of a Redis server: logs in (so a wrong password, a missing one, an
 * unreachable host or a TLS problem fails before anything else), reads its version and
 * refuses a server that is still loading its dataset. The snapshot itself starts with `start`.
 */
export async function createRedisSource(settings: RedisBackupSettings): Promise<RedisSource> {
  const mode = settings.mode ?? 'rdb';
  const compression = settings.compression ?? 'none';
  if (compression === 'zstd') await assertZstdAvailable(settings.env ?? process.env);
  const client = await connectClient(settings.connection, { connectTimeoutMs: settings.connectTimeoutMs });
  let server: ServerFacts;
  let usedMemory: number | undefined;
  try {
    server = await readServerFacts(client);
    assertLoaded(server, client);
    usedMemory = Number(parseInfo(String(await client.send(['INFO', 'memory']))).used_memory) || undefined;
  } finally {
    await client.close();
  }
  if (server.mode === 'cluster') {
    settings.reporter?.warning(`${describeRedis(settings.connection)} is a cluster node: the backup holds this node's slots only; back up every primary of the cluster.`);
  }
  return {
    kind: 'redis',
    defaultName: 'redis',
    payloadFile: REDIS_PAYLOAD_FILES[mode][compression],
    expectedSize: usedMemory,
    server,
    mode,
    start: async (signal) => {
      signal.throwIfAborted();
      const run = mode === 'rdb' ? await startRdbTransfer(settings, server, signal) : startKeysDump(settings, server, signal);
      return finishRun(run, { mode, compression, server, tls: settings.connection.tls }, settings.env ?? process.env);
    },
  };
}

/** Adds compression (when asked for) and builds the manifest section once the mode's run is complete. */
function finishRun(
  run: ModeRun,
  facts: { mode: 'rdb' | 'keys'; compression: 'none' | 'zstd'; server: ServerFacts; tls: boolean },
  env: Record<string, string | undefined>,
): SourceRun {
  let stream: Readable = run.stream;
  let compressed: Promise<void> = Promise.resolve();
  if (facts.compression === 'zstd') {
    const compressor = zstdFilter('compress', env);
    const out = new PassThrough();
    compressed = Promise.all([pipeline(run.stream, compressor.stream, out), compressor.done]).then(() => undefined);
    compressed.catch(() => {
      if (!out.destroyed) out.end();
    });
    stream = out;
  }
  const result = (async (): Promise<SourceResult> => {
    const done = await run.result;
    await compressed;
    const manifest: RedisManifestSection = {
      kind: 'redis',
      mode: facts.mode,
      pointInTime: facts.mode === 'rdb',
      payloadFormat: facts.mode === 'rdb' ? 'rdb' : 'lifeboat-redis-keys/1',
      serverVersion: facts.server.version,
      serverMajor: facts.server.major,
      rdbVersion: done.rdbVersion,
      tls: facts.tls,
      compression: facts.compression,
      transfer: done.transfer,
    };
    return { manifest, stats: done.stats };
  })();
  result.catch(() => {});
  return { stream, result, abort: (reason) => run.abort(reason) };
}
