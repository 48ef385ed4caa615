import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../report/errors.js';
import { postgresDumpSettings } from './from-options.js';
import { resolveConnection } from './connection.js';
import { postgresRestoreSettings } from './restore/from-options.js';
import { defineOperation, resolveOptions } from '../../options/define.js';
import { postgresDumpOptions, postgresRestoreOptions } from './options.js';
import { objectSource } from '../../options/sources.js';

const operation = defineOperation({
  command: 'pg-test',
  summary: 'test',
  options: { ...postgresDumpOptions, ...postgresRestoreOptions },
  outputs: {},
});

describe('PostgreSQL option groups', () => {
  it('declares kebab-case names with descriptions and textual defaults', () => {
    for (const [name, def] of Object.entries(operation.options)) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(def.description.length).toBeGreaterThan(20);
      if (def.default !== undefined) expect(def.parse(def.default), name).not.toBeUndefined();
    }
  });

  it('has defaults that stream, count exactly and restore without the source\'s roles', () => {
    const options = resolveOptions(operation, objectSource({}));
    expect(options).toMatchObject({
      format: 'custom',
      jobs: 1,
      compression: { method: 'auto' },
      counts: 'exact',
      globals: false,
      globalsRolePasswords: true,
      noPrivileges: false,
      restoreOwners: false,
      restorePrivileges: false,
      maxRestoreErrors: 0,
    });
    expect(options.restoreJobs).toBeUndefined();
    // Empty restore-jobs: one job per core available here, at most 16.
    expect(postgresRestoreSettings(options)).toEqual({ jobs: Math.min(16, availableParallelism()), noOwner: true, noPrivileges: true, maxErrors: 0 });
    expect(postgresRestoreSettings(resolveOptions(operation, objectSource({ 'restore-jobs': '3' }))).jobs).toBe(3);
  });

  it('turns operator text into dump settings', () => {
    const options = resolveOptions(
      operation,
      objectSource({
        databases: 'all',
        format: 'directory',
        jobs: '4',
        compression: 'zstd:3',
        counts: 'estimate',
        schemas: 'app\naudit',
        'exclude-table-data': 'audit.log, app.cache',
        'pg-dump-args': "--no-comments --lock-wait-timeout='2 min'",
      }),
    );
    expect(options.databases).toEqual(['all']);
    const connection = resolveConnection('postgres://u:settings-pw@h/d', {});
    expect(postgresDumpSettings(options, { connection })).toMatchObject({
      connection,
      format: 'directory',
      jobs: 4,
      compression: { method: 'zstd', level: 3 },
      counts: 'estimate',
      filters: { schemas: ['app', 'audit'], excludeTableData: ['audit.log', 'app.cache'], tables: [] },
      extraArgs: ['--no-comments', '--lock-wait-timeout=2 min'],
    });
  });

  it('refuses malformed values, naming the accepted form', () => {
    expect(() => resolveOptions(operation, objectSource({ compression: 'brotli' }))).toThrow(OptionError);
    expect(() => resolveOptions(operation, objectSource({ compression: 'gzip:12' }))).toThrow(/gzip\[:1-9\]/);
    expect(() => resolveOptions(operation, objectSource({ counts: 'some' }))).toThrow(/`exact`, `estimate`, `off`/);
    expect(() => resolveOptions(operation, objectSource({ jobs: '0' }))).toThrow(/from 1 to 64/);
  });
});
