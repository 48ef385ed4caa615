import type { CheckResult } from '../../catalog/drill-record.js';
import type { RunContext } from '../../context.js';
import { describeError } from '../../report/errors.js';
import { runChecks as runRedisChecks, keyCountChecks, type RedisCheck } from './checks.js';
import { checkRdbFile } from './check-rdb.js';
import { connectClient, withClient, type CommandClient } from './client.js';
import { describeRedis, parseRedisUrl, redisUrlOf, type RedisConnection } from './connection.js';
import { RedisSnapshotCorruptError, RedisTargetNotEmptyError } from './errors.js';
import { readServerFacts } from './info.js';
import type { RedisManifestSection } from './manifest.js';
import type { RedisDrillOptions, RedisRestoreOptions } from './options.js';
import type { RestoredTarget } from '../restored-target.js';
import { restoreKeys, type KeysRestored } from './restore-keys.js';
import { readRedisStats } from './stats.js';
import { startThrowawayRedis, type ThrowawayOptions } from './throwaway.js';

/** A Redis server a drill restored into, and what the restore did. */
export interface RedisRestoredTarget extends RestoredTarget {
  readonly connection: RedisConnection;
  /** Key-by-key restores (keys mode, or into a given server): counts per database. */
  readonly restored?: KeysRestored;
}

/** What `restoreForDrill` gets from the drill orchestrator. */
export interface RedisDrillInput {
  /** The manifest section, parsed when the manifest was read. */
  readonly section: RedisManifestSection;
  readonly payloadPath: string;
  readonly stats?: Record<string, unknown>;
  readonly options: Partial<RedisDrillOptions>;
  readonly drillId: string;
  readonly context: RunContext;
  /** Test seams for the throwaway server (docker client, runner facts). */
  readonly throwaway?: Partial<Pick<ThrowawayOptions, 'docker' | 'linuxRunner' | 'readyTimeoutMs'>>;
}

/**
 * Restores a decrypted Redis backup for a drill. An RDB is first judged by redis-check-rdb,
 * then loaded by a throwaway redis-server at start-up (Redis's own loader, the path a real
 * recovery takes); a keys file is written into an empty throwaway server with RESTORE. With
 * `target-redis-url`, the keys go into that (empty) server instead, emptied again on cleanup.
 */
export async function restoreForDrill(input: RedisDrillInput): Promise<RedisRestoredTarget> {
  const { context, options } = input;
  const { section } = input;
  const stats = readRedisStats(input.stats);
  const checks: CheckResult[] = [];
  const notes: string[] = [];
  const versions: Record<string, string> = { 'source redis-server': section.serverVersion };
  let stopServer: (() => Promise<void>) | undefined;
  try {
    const payload = input.payloadPath;
    if (section.mode === 'rdb') {
      const check = await checkRdbFile(payload, { serverPath: options.redisServerPath, env: context.env, signal: context.signal });
      checks.push(check);
      if (!check.ok) {
        throw new RedisSnapshotCorruptError(`redis-check-rdb rejects the decrypted snapshot: ${check.message}.`, 'The backup is damaged; use another backup id.');
      }
    }
    const databases = Math.max(16, ...(stats?.databases.map((d) => d.db + 1) ?? []));

    if (options.targetRedisUrl) {
      const connection = parseRedisUrl(options.targetRedisUrl, options, 'target-redis-url');
      let ownFunctions = false;
      const restored = await withClient(connection, async (client) => {
        const facts = await assertEmpty(client, 'Point `target-redis-url` at an empty server kept for drills, or leave it empty for a throwaway server');
        versions['redis-server'] = facts.version;
        if (facts.major >= 7) ownFunctions = ((await client.send(['FUNCTION', 'LIST']).catch(() => [])) as unknown[]).length > 0;
        return restoreKeys(client, payload, section.payloadFormat);
      });
      notes.push(...restoreNotes(restored, describeRedis(connection)));
      return {
        connection,
        restored,
        description: `given server ${describeRedis(connection)} (Redis ${versions['redis-server']})`,
        versions,
        notes,
        checks,
        endpoint: endpointOf(connection),
        async cleanup(keep) {
          if (keep) {
            context.reporter.info(`Kept the restored keys on ${describeRedis(connection)}.`);
            return;
          }
          await withClient(connection, async (client) => {
            await client.send(['FLUSHALL']);
            // FLUSHALL leaves function libraries; those the drill loaded go too (unless the server had its own).
            if (restored.functions > 0 && !ownFunctions) await client.send(['FUNCTION', 'FLUSH']);
          }).catch((error: unknown) =>
            context.reporter.warning(`Could not empty ${describeRedis(connection)} after the drill: ${describeError(error)}`),
          );
        },
      };
    }

    const server = await startThrowawayRedis({
      backupMajor: section.serverMajor,
      rdbPath: section.mode === 'rdb' ? payload : undefined,
      databases,
      tempDir: context.tempDir,
      serverPath: options.redisServerPath,
      env: context.env,
      reporter: context.reporter,
      signal: context.signal,
      ...input.throwaway,
    });
    stopServer = () => server.stop();
    versions['redis-server'] = server.version;
    if (server.note) notes.push(server.note);
    let restored: KeysRestored | undefined;
    if (section.mode === 'keys') {
      restored = await withClient(server.connection, (client) => restoreKeys(client, payload, section.payloadFormat));
      notes.push(...restoreNotes(restored, 'the throwaway server'));
    } else notes.push(`redis-server ${server.version} loaded the snapshot (RDB version ${section.rdbVersion}) at start-up.`);
    const where = server.kind === 'docker' ? `throwaway redis:${server.major} container` : 'throwaway redis-server';
    return {
      connection: server.connection,
      restored,
      description: `${where} ${server.version} on 127.0.0.1:${server.connection.port}`,
      versions,
      notes,
      checks,
      endpoint: endpointOf(server.connection),
      async cleanup(keep) {
        if (keep) context.reporter.info('keep-database has no effect on a throwaway Redis server; it is stopped.');
        await server.stop();
      },
    };
  } catch (error) {
    await stopServer?.();
    throw error;
  }
}

/** Key counts of the restored server against the recorded ones (see `keyCountChecks`). */
export async function automaticChecks(target: RedisRestoredTarget, stats: Record<string, unknown> | undefined): Promise<CheckResult[]> {
  const recorded = readRedisStats(stats);
  if (!recorded) return [{ name: 'recorded key counts', kind: 'redis-key-count', ok: false, expected: 'stats of a Redis backup', actual: 'none', message: 'The backup has no Redis stats to compare with.' }];
  return withClient(target.connection, async (client) => {
    const facts = await readServerFacts(client);
    const checks = keyCountChecks(recorded, facts.keyspace, target.restored);
    if (recorded.functions > 0) checks.push(await functionsCheck(client, recorded.functions));
    return checks;
  });
}

/** The function libraries recorded at backup time are all on the restored server. */
async function functionsCheck(client: CommandClient, recorded: number): Promise<CheckResult> {
  const listed = (await client.send(['FUNCTION', 'LIST']).catch(() => undefined)) as unknown[] | undefined;
  const actual = Array.isArray(listed) ? listed.length : 'unavailable';
  return { name: 'function libraries', kind: 'redis-functions', ok: actual === recorded, expected: recorded, actual };
}

/** Runs the operator's read-only command checks on the restored server. */
export async function runChecks(target: RedisRestoredTarget, checks: readonly RedisCheck[]): Promise<CheckResult[]> {
  if (checks.length === 0) return [];
  return withClient(target.connection, (client) => runRedisChecks(client, checks));
}

/** What `restoreInto` did. */
export interface RedisRestoreResult {
  readonly description: string;
  readonly restored: KeysRestored;
  readonly checks: CheckResult[];
  readonly notes: string[];
}

/**
 * A real recovery into the operator's server (`target-redis-url`), which must hold no keys:
 * every key is written with RESTORE and its absolute expiry (from an RDB, each value as the
 * RDB serializes it, which is what RESTORE takes), function libraries with FUNCTION LOAD, then
 * the key counts are checked against the recorded ones. This works on servers that cannot be
 * given a file (managed services); a server that can is faster started from the RDB itself
 * (the break-glass steps).
 */
export async function restoreInto(input: {
  section: RedisManifestSection;
  payloadPath: string;
  stats?: Record<string, unknown>;
  options: Partial<RedisRestoreOptions> & { readonly targetRedisUrl: string };
  context: RunContext;
}): Promise<RedisRestoreResult> {
  const { section } = input;
  const stats = readRedisStats(input.stats);
  const connection = parseRedisUrl(input.options.targetRedisUrl, input.options, 'target-redis-url');
  const client = await connectClient(connection);
  try {
    await assertEmpty(client, 'Restore into an empty server: FLUSHALL it first if its keys may go, or use another server');
    const restored = await restoreKeys(client, input.payloadPath, section.payloadFormat);
    const facts = await readServerFacts(client);
    const checks = stats ? keyCountChecks(stats, facts.keyspace, restored) : [];
    if (stats && stats.functions > 0) checks.push(await functionsCheck(client, stats.functions));
    return { description: describeRedis(connection), restored, checks, notes: restoreNotes(restored, describeRedis(connection)) };
  } finally {
    await client.close();
  }
}

/** Checks, before anything is downloaded, that a restore's target is reachable and holds no keys; returns its description. */
export async function assertEmptyTarget(connection: RedisConnection): Promise<string> {
  await withClient(connection, (client) => assertEmpty(client, 'Restore into an empty server: FLUSHALL it first if its keys may go, or use another server'));
  return describeRedis(connection);
}

/** Refuses a server that holds keys: a backup is never mixed into existing data. */
async function assertEmpty(client: CommandClient, fix: string) {
  const facts = await readServerFacts(client);
  const used = facts.keyspace.filter((entry) => entry.keys > 0);
  if (used.length > 0) {
    throw new RedisTargetNotEmptyError(
      `${describeRedis(client.connection)} already holds keys (${used.map((e) => `db ${e.db}: ${e.keys}`).join(', ')}); Lifeboat does not mix a backup into existing data.`,
      fix,
    );
  }
  return facts;
}

function endpointOf(connection: RedisConnection): RestoredTarget['endpoint'] {
  const url = redisUrlOf(connection);
  return { url, env: { REDIS_URL: url } };
}

function restoreNotes(restored: KeysRestored, where: string): string[] {
  const notes: string[] = [];
  const total = Object.values(restored.databases).reduce((sum, d) => sum + d.restored, 0);
  const expired = Object.values(restored.databases).reduce((sum, d) => sum + d.expiredBefore, 0);
  const duplicates = Object.values(restored.databases).reduce((sum, d) => sum + d.duplicates, 0);
  notes.push(`Restored ${total} keys into ${where} with RESTORE${restored.functions > 0 ? `, and ${restored.functions} function libraries` : ''}.`);
  if (expired > 0) notes.push(`${expired} keys had expired since the backup and were not restored.`);
  if (duplicates > 0) notes.push(`${duplicates} keys appeared twice in the keys file (SCAN returns a key twice while the server resizes its tables); each was restored once.`);
  return notes;
}
