import { describe, expect, it } from 'vitest';
import { ManifestError } from '../catalog/manifest.js';
import { backupOperation } from '../options/backup.js';
import { resolveOptions } from '../options/define.js';
import { restoreOperation } from '../options/restore.js';
import { objectSource } from '../options/sources.js';
import { OptionError } from '../report/errors.js';
import { backupEngine, engineSection, restoreEngine, restoreOptionFor } from './registry.js';

const backupWith = (values: Record<string, string>) => resolveOptions(backupOperation, objectSource({ store: '/tmp/x', ...values }));
const restoreWith = (values: Record<string, string>) => resolveOptions(restoreOperation, objectSource({ store: '/tmp/x', ...values }));

describe('backupEngine', () => {
  it.each([
    [{}, 'postgres'],
    [{ 'database-url': 'postgres://u@h/db' }, 'postgres'],
    [{ 'redis-url': 'redis://h:6379' }, 'redis'],
    [{ paths: 'etc/app.yaml,deploy/' }, 'files'],
  ])('%j backs up with %s', (values, id) => {
    expect(backupEngine(backupWith(values)).id).toBe(id);
  });

  it('refuses two kinds of source in one run, naming both options', () => {
    expect(() => backupEngine(backupWith({ 'database-url': 'postgres://u@h/db', 'redis-url': 'redis://h' }))).toThrow(OptionError);
    expect(() => backupEngine(backupWith({ 'database-url': 'postgres://u@h/db', 'redis-url': 'redis://h' }))).toThrow('`database-url` and `redis-url` are both set');
    expect(() => backupEngine(backupWith({ 'redis-url': 'redis://h', paths: 'etc' }))).toThrow('`redis-url` and `paths` are both set');
  });
});

describe('restoreEngine', () => {
  it.each([
    [{ 'target-database-url': 'postgres://u@h/db' }, 'postgres'],
    [{ 'target-redis-url': 'redis://h' }, 'redis'],
    [{ 'target-dir': './restored' }, 'files'],
  ])('%j restores with %s', (values, id) => {
    expect(restoreEngine(restoreWith(values)).id).toBe(id);
  });

  it.each([
    [{}, 'No restore target is set.'],
    [{ 'target-database-url': 'postgres://u@h/db', 'target-redis-url': 'redis://h' }, 'Several restore targets are set'],
  ])('%j is refused: %s', (values, message) => {
    expect(() => restoreEngine(restoreWith(values))).toThrow(message);
  });

  it('names the target option of each kind', () => {
    expect([restoreOptionFor('postgres'), restoreOptionFor('redis'), restoreOptionFor('files'), restoreOptionFor('canister'), restoreOptionFor('mongodb')]).toEqual(['target-database-url', 'target-redis-url', 'target-dir', undefined, undefined]);
  });
});

describe('engineSection', () => {
  it.each([
    [{ kind: 'postgres', serverMajor: 16 }, 'postgres'],
    [{ kind: 'canister', complete: true }, 'canister'],
    [{ kind: 'canister-snapshot', files: 2 }, 'canister'],
    [{ kind: 'files', payloadFormat: 'tar', allowSecrets: false }, 'files'],
  ])('%j is read by %s', (source, id) => {
    expect(engineSection(source, 'm')?.engine.id).toBe(id);
  });

  it('leaves a kind no engine reads to the caller', () => {
    expect(engineSection({ kind: 'mongodb' }, 'm')).toBeUndefined();
  });

  it('refuses a section that does not fit its kind, naming the field', () => {
    const postgres = { kind: 'postgres', serverMajor: 'sixteen' };
    const redis = { kind: 'redis', mode: 'rdb' };
    expect(() => engineSection(postgres, 'Manifest of app/1')).toThrow(ManifestError);
    expect(() => engineSection(redis, 'Manifest of cache/1')).toThrow(/^Manifest of cache\/1: the Redis section is malformed: source\.pointInTime: /);
  });
});
