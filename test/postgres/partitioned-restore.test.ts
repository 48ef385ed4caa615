/**
 * A restore is complete or it fails. Many partitioned tables (partitioned primary keys, foreign
 * keys onto them, attached, sub-partitioned and detached partitions) restore exactly with the
 * default two jobs, twenty times over; the schema checks after a restore see every object of
 * the archive and no invalid index, and name what a broken restore lacks.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, drill, drillOperation, MemoryReporter, objectSource, resolveOptions, type DrillRecord } from '@lifeboat/core';
import type { PostgresRestoredTarget } from '../../packages/core/src/engines/postgres/engine.js';
import { schemaChecks } from '../../packages/core/src/engines/postgres/drill/schema-checks.js';
import { restorePostgres } from '../../packages/core/src/engines/postgres/restore/restore-postgres.js';
import { backupOptions, freshFolder, testContext } from '../backup/support.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createPartitionedDatabase, invalidIndexes, schemaFingerprint } from './partitioned.js';
import { machineClientBinDir } from './sample.js';

const PASSPHRASE = 'partitioned restore passphrase 1234';
let pg: PgServer;
let work: string;
let file: string;
let source: string[];

beforeAll(async () => {
  pg = await startPostgres();
  work = freshFolder('lifeboat-restore-partitioned-');
  await createPartitionedDatabase(pg, 'src', 8, 8, 2000);
  file = join(work, 'src.pgdump');
  execFileSync(join(machineClientBinDir(), 'pg_dump'), ['-Fc', '-f', file, pg.url('src')]);
  source = await schemaFingerprint(pg, 'src');
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The job and section arguments of each pg_restore run a restore logged. */
function restoreRuns(reporter: MemoryReporter): string[][] {
  return reporter.lines
    .filter((l) => l.level === 'debug' && /pg_restore --dbname=/.test(l.message))
    .map((l) => l.message.split(' ').filter((a) => a.startsWith('--jobs=') || a.startsWith('--section=')));
}

describe('restoring partitioned tables with two jobs', () => {
  it('matches the source exactly, twenty times', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const database = `r${i}`;
      await pg.createDatabase(database);
      const reporter = new MemoryReporter();
      const result = await restorePostgres({ file, target: pg.url(database), binDir: machineClientBinDir(), jobs: 2, noOwner: true, tempDir: work, reporter });
      const invalid = await invalidIndexes(pg, database);
      const same = JSON.stringify(await schemaFingerprint(pg, database)) === JSON.stringify(source);
      const checks = await schemaChecks(pg.url(database), result.contents);
      if (result.ignoredErrors > 0 || invalid.length > 0 || !same || checks.some((c) => !c.ok)) failures.push(`${database}: ${invalid.join(', ')} ${result.errors.join(' | ')}`);
      if (i === 0) {
        expect(checks.map((c) => [c.kind, c.ok])).toEqual([['schema-objects', true], ['sequence-positions', true], ['invalid-indexes', true]]);
        // The partitions' indexes are attached in one job, after the tables and data.
        expect(result.contents.attachesIndexes).toBe(true);
        expect(restoreRuns(reporter)).toEqual([
          ['--jobs=2', '--section=pre-data', '--section=data'],
          ['--jobs=1', '--section=post-data'],
        ]);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('restores a database without partitions in one parallel run, indexes and constraints included', async () => {
    await pg.createDatabase('plain');
    await pg.query(
      `CREATE SCHEMA part;
       CREATE TABLE part.a (id int PRIMARY KEY, v text);
       CREATE TABLE part.b (id int PRIMARY KEY, a_id int REFERENCES part.a, v text);
       CREATE INDEX b_v ON part.b (v);
       INSERT INTO part.a SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
       INSERT INTO part.b SELECT g, g, md5(g::text) FROM generate_series(1, 5000) g;`,
      [],
      'plain',
    );
    const plain = join(work, 'plain.pgdump');
    execFileSync(join(machineClientBinDir(), 'pg_dump'), ['-Fc', '-f', plain, pg.url('plain')]);
    await pg.createDatabase('plain_restored');
    const reporter = new MemoryReporter();
    const result = await restorePostgres({ file: plain, target: pg.url('plain_restored'), binDir: machineClientBinDir(), jobs: 2, noOwner: true, tempDir: work, reporter });
    expect(result.contents.attachesIndexes).toBe(false);
    expect(restoreRuns(reporter)).toEqual([['--jobs=2']]);
    expect(result.ignoredErrors).toBe(0);
    expect(await invalidIndexes(pg, 'plain_restored')).toEqual([]);
    const fingerprint = await schemaFingerprint(pg, 'plain');
    expect(fingerprint).toContain('i part.b_v');
    expect(await schemaFingerprint(pg, 'plain_restored')).toEqual(fingerprint);
    expect((await schemaChecks(pg.url('plain_restored'), result.contents)).every((c) => c.ok)).toBe(true);
  });

  it('names what a broken restore lacks: a missing constraint, a moved sequence, an invalid index', async () => {
    await pg.createDatabase('broken');
    const result = await restorePostgres({ file, target: pg.url('broken'), binDir: machineClientBinDir(), jobs: 2, noOwner: true, tempDir: work });
    await pg.query(
      `ALTER TABLE part.c3 DROP CONSTRAINT c3_parent_id_region_fkey;
       SELECT setval('part.c0_id_seq', 1);
       UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'part.p2_at'::regclass;`,
      [],
      'broken',
    );
    const checks = await schemaChecks(pg.url('broken'), result.contents);
    expect(checks.filter((c) => !c.ok).map((c) => [c.kind, c.message])).toEqual([
      ['schema-objects', 'missing: fk constraint part.c3 c3_parent_id_region_fkey'],
      ['sequence-positions', 'part.c0_id_seq (at 1; archive: 5000)'],
      ['invalid-indexes', 'invalid: part.p2_at'],
    ]);
  });
});

describe('a drill whose restore leaves an index invalid', () => {
  it('fails, naming the index', async () => {
    const store = freshFolder();
    try {
      const made = await backup(backupOptions({ 'database-url': pg.url('src'), store, passphrase: PASSPHRASE }), testContext());
      expect(made.failure).toBeUndefined();
      const options = resolveOptions(
        drillOperation,
        objectSource({ store, passphrase: PASSPHRASE, 'allow-unsigned': 'true', 'record-drill': 'false', 'evidence-dir': join(store, '.evidence'), 'target-database-url': pg.url('postgres') }),
      );
      const outcome = await drill(options, testContext(), {
        afterRestore: async (target) => {
          await pg.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'part.p1_pkey'::regclass", [], (target as PostgresRestoredTarget).connection.database);
        },
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.failure).toContain('no index is invalid (expected 0, got 1: invalid: part.p1_pkey)');
      const record = outcome.data as DrillRecord;
      expect(record.checks.find((c) => c.kind === 'schema-objects')).toMatchObject({ ok: true });
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  }, 120_000);
});
