import type { Engine } from '../engine.js';
import { breakGlass } from './break-glass.js';
import { redisZstd } from './zstd.js';
import { parseChecks, type RedisCheck } from './checks.js';
import { describeRedis, parseRedisUrl } from './connection.js';
import { assertEmptyTarget, automaticChecks, restoreForDrill, restoreInto, runChecks, type RedisRestoredTarget, type RedisRestoreResult } from './drill.js';
import { redisManifestSchema, type RedisManifestSection } from './manifest.js';
import { createRedisSource } from './source.js';
import { commandKeys, missingKeys } from './stack.js';

/**
 * Redis: the server's RDB snapshot over the replication protocol (or SCAN + DUMP key by key)
 * on backup; a drill loads it into a throwaway redis-server of the backup's major or newer,
 * checks the key counts per database and runs read-only command checks.
 */
export const redisEngine: Engine<RedisManifestSection, RedisRestoredTarget, RedisCheck> = {
  id: 'redis',
  title: 'Redis',
  kinds: ['redis'],
  section: redisManifestSchema,
  payloadZstd: (section) => (section.compression === 'zstd' ? redisZstd('decompress') : undefined),

  backup: {
    option: 'redis-url',
    selected: (options) => options.redisUrl !== undefined,
    async plan(options, context) {
      const connection = parseRedisUrl(options.redisUrl!, options, 'redis-url');
      const settings = { connection, mode: options.redisMode, compression: options.redisCompression, scanCount: options.redisScanCount, reporter: context.reporter, env: context.env };
      return [{ name: options.name ?? 'redis', create: () => createRedisSource(settings) }];
    },
    async preflight(options, context, checks) {
      // What a backup does first, reading no data: log in, read INFO, refuse a server still loading.
      await checks.run('source', async () => {
        const connection = parseRedisUrl(options.redisUrl!, options, 'redis-url');
        const source = await createRedisSource({ connection, compression: options.redisCompression, env: context.env });
        const { version, mode, role } = source.server;
        return { value: true, detail: `${describeRedis(connection)} answers: Redis ${version} (${mode}, ${role}); logged in, dataset loaded.` };
      });
    },
  },

  drill: {
    restore: (backup, options, drillId, context) =>
      restoreForDrill({ section: backup.section, payloadPath: backup.payloadPath, stats: backup.stats, options, drillId, context }),
    automaticChecks: async (backup, target) => (target ? automaticChecks(target, backup.stats) : []),
    checks: {
      form: '`{name, command, expect}` (optionally `db`)',
      parse: (entries) => parseChecks(entries),
      run: (target, checks) => runChecks(target, checks),
    },
  },

  stack: {
    keyQuery: { field: 'command', run: (target, command) => commandKeys(target, command) },
    missing: (target, keys) => missingKeys(target, keys),
  },

  restore: {
    option: 'target-redis-url',
    selected: (options) => options.targetRedisUrl !== undefined,
    async prepare(options, context) {
      const targetRedisUrl = options.targetRedisUrl!;
      const description = await assertEmptyTarget(parseRedisUrl(targetRedisUrl, options, 'target-redis-url'));
      let result: RedisRestoreResult | undefined;
      return {
        description,
        async restore(backup) {
          result = await restoreInto({ section: backup.section, payloadPath: backup.payloadPath, stats: backup.stats, options: { ...options, targetRedisUrl }, context });
          return { checks: [], notes: result.notes };
        },
        checks: async () => result?.checks ?? [],
      };
    },
  },

  breakGlass,
};
