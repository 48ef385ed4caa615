import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createPostgresSource, DumpError, resolveConnection, restorePostgres, type PostgresStats } from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { countMap, createSample, dumpToFile, machineClientBinDir, SAMPLE_ROWS } from './sample.js';

let server: PgServer;
let work: string;
let scratch: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  server = await startPostgres();
  await createSample(server, 'shop');
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-dir-'));
  // The runner's temp folder as the dump sees it; must be empty after every run.
  scratch = mkdtempSync(join(tmpdir(), 'lifeboat-pg-scratch-'));
});
afterAll(async () => {
  await server?.stop();
  for (const dir of [work, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const connection = () => resolveConnection(server.url('shop'), {});

describe('directory format with parallel jobs', () => {
  it('dumps with 2 jobs to a private temp folder, streams it as tar, restores, and leaves no temp folder', async () => {
    const source = await createPostgresSource({ connection: connection(), binDir, format: 'directory', jobs: 2, tempDir: scratch });
    expect(source.payloadFile).toBe('db.pgdump.tar');
    // `auto` with a directory: pg_dump's workers compress each file, zstd:1 from pg_dump 16, gzip:1 before.
    expect(source.compression).toEqual(source.client.major >= 16 ? { method: 'zstd', level: 1 } : { method: 'gzip', level: 1 });
    const run = await source.start(new AbortController().signal);
    // While pg_dump works, its plaintext sits in one folder only the runner's user can read.
    const during = readdirSync(scratch);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^lifeboat-dump-/);
    expect(statSync(join(scratch, during[0]!)).mode & 0o077).toBe(0);

    const file = join(work, 'shop.pgdump.tar');
    await pipeline(run.stream, createWriteStream(file));
    const result = await run.result;
    expect(readdirSync(scratch)).toEqual([]);
    expect(result.manifest).toMatchObject({ dumpFormat: 'directory' });
    const stats = result.stats as PostgresStats;
    expect(countMap(stats.tables)).toEqual(SAMPLE_ROWS);

    const members = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
    expect(members).toContain('./toc.dat');
    expect(members.filter((m) => /\d+\.dat/.test(m)).length).toBeGreaterThanOrEqual(Object.keys(SAMPLE_ROWS).length);

    await server.createDatabase('shop_dir');
    const restoreScratch = mkdtempSync(join(tmpdir(), 'lifeboat-pg-rscratch-'));
    try {
      const restored = await restorePostgres({ file, target: server.url('shop_dir'), origin: result.manifest, binDir, jobs: 2, noOwner: true, tempDir: restoreScratch });
      expect(restored.ignoredErrors).toBe(0);
      expect(restored.archive.format).toBe('directory');
      expect(readdirSync(restoreScratch)).toEqual([]);
    } finally {
      rmSync(restoreScratch, { recursive: true, force: true });
    }
    expect(countMap(await countRows(server.url('shop_dir'), stats.tables))).toEqual(SAMPLE_ROWS);
  });

  it('removes the temp folder when pg_dump fails', async () => {
    const source = await createPostgresSource({ connection: connection(), binDir, format: 'directory', jobs: 2, tempDir: scratch, filters: { tables: ['nosuchtable'] } });
    await expect(dumpToFile(source, join(work, 'failed.tar'))).rejects.toBeInstanceOf(DumpError);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('removes the temp folder when the run is aborted', async () => {
    const source = await createPostgresSource({ connection: connection(), binDir, format: 'directory', jobs: 2, tempDir: scratch });
    const run = await source.start(new AbortController().signal);
    expect(readdirSync(scratch)).toHaveLength(1);
    run.abort(new Error('stopped by test'));
    await expect(run.result).rejects.toThrow('stopped by test');
    expect(readdirSync(scratch)).toEqual([]);
  });
});
