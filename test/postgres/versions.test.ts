import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyRestoreErrors,
  connectionEnv,
  countRows,
  createPostgresSource,
  describeError,
  listTables,
  readArchiveHeader,
  resolveConnection,
  RestoreClientTooOldError,
  restorePostgres,
  TargetTooOldError,
  VersionMismatchError,
  type PostgresStats,
} from '@lifeboat/core';
import { dumpFailure } from '../../packages/core/src/engines/postgres/dump-failure.js';
import { classifyRestoreFailure } from '../../packages/core/src/engines/postgres/restore/restore-postgres.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { countMap, createSample, dumpToFile, machineClientBinDir, SAMPLE_ROWS } from './sample.js';

let pg15: PgServer;
let pg17: PgServer;
let pg14: PgServer;
let work: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  pg15 = await startPostgres();
  pg17 = await startPostgres({ major: 17 });
  pg14 = await startPostgres({ major: 14 });
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-versions-'));
});
afterAll(async () => {
  for (const server of [pg15, pg17, pg14]) await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('server and client versions', () => {
  it('refuses to dump a newer server with an older pg_dump, saying which client to use', async () => {
    await pg17.createDatabase('shop');
    const connection = resolveConnection(pg17.url('shop'), {});
    const error = await failure(createPostgresSource({ connection, binDir }));
    expect(error).toBeInstanceOf(VersionMismatchError);
    expect(error).toMatchObject({ serverMajor: 17, clientMajor: pg15.major });
    expect(describeError(error)).toMatch(/pg_dump 15\.\d+ cannot dump a PostgreSQL 17\.\d+ server/);
    expect((error as VersionMismatchError).fix).toMatch(/postgres-client-version: 17/);
  });

  it('recognises pg_dump\'s own "server version mismatch" refusal', async () => {
    const connection = resolveConnection(pg17.url('shop'), {});
    const stderr = await new Promise<string>((done) =>
      execFile(join(binDir, 'pg_dump'), ['--schema-only', '--no-password'], { env: connectionEnv(connection) }, (_e, _o, err) => done(err)),
    );
    expect(stderr).toMatch(/server version mismatch/);
    const error = dumpFailure('pg_dump', { exitCode: 1, signal: null, stderrTail: stderr }, connection);
    expect(error).toBeInstanceOf(VersionMismatchError);
    expect(error).toMatchObject({ serverMajor: 17, clientMajor: pg15.major });
  });

  it('dumps an older server and restores it into a newer one', async () => {
    await createSample(pg14, 'shop');
    const file = join(work, 'from14.pgdump');
    const result = await dumpToFile(await createPostgresSource({ connection: resolveConnection(pg14.url('shop'), {}), binDir }), file);
    expect(result.manifest).toMatchObject({ serverMajor: 14, clientMajor: pg15.major });
    expect(countMap((result.stats as PostgresStats).tables)).toEqual(SAMPLE_ROWS);
    await pg17.createDatabase('from14');
    const restored = await restorePostgres({ file, target: pg17.url('from14'), origin: result.manifest, binDir, jobs: 2, noOwner: true });
    expect(restored.ignoredErrors).toBe(0);
    expect(countMap(await countRows(pg17.url('from14'), (result.stats as PostgresStats).tables))).toEqual(SAMPLE_ROWS);
  });

  it('refuses to restore a dump into an older major, before writing anything', async () => {
    await createSample(pg15, 'shop');
    const file = join(work, 'from15.pgdump');
    const result = await dumpToFile(await createPostgresSource({ connection: resolveConnection(pg15.url('shop'), {}), binDir, counts: 'off' }), file);
    await pg14.createDatabase('from15');
    for (const origin of [result.manifest, undefined]) {
      // Without the manifest, the archive header tells the dump's server version.
      const error = await failure(restorePostgres({ file, target: pg14.url('from15'), origin, binDir }));
      expect(error).toBeInstanceOf(TargetTooOldError);
      expect(error).toMatchObject({ dumpServerMajor: pg15.major, targetMajor: 14 });
      expect((error as TargetTooOldError).fix).toMatch(new RegExp(`restore into PostgreSQL ≥ ${pg15.major}`, 'i'));
    }
    expect(await listTables(pg14.url('from15'))).toEqual([]);
  });

  it('refuses a pg_restore older than the archive, as pg_restore itself would', async () => {
    const file = join(work, 'from15.pgdump');
    const newer = join(work, 'newer-format.pgdump');
    copyFileSync(file, newer);
    // Stand-in for an archive written by pg_dump 17: archive version 1.16 in the header.
    const bytes = readFileSync(newer);
    expect((await readArchiveHeader(file)).version).toBe(`1.${bytes[6]}`);
    bytes[6] = 16;
    writeFileSync(newer, bytes);
    expect(await readArchiveHeader(newer)).toMatchObject({ version: '1.16', minRestoreMajor: 17 });

    await pg15.createDatabase('newer_format');
    const error = await failure(restorePostgres({ file: newer, target: pg15.url('newer_format'), binDir }));
    expect(error).toBeInstanceOf(RestoreClientTooOldError);
    expect(error).toMatchObject({ requiredMajor: 17 });
    expect((error as RestoreClientTooOldError).fix).toMatch(/postgres-client-version: 17/);

    // The same archive through pg_restore itself: its refusal maps to the same error.
    const stderr = await new Promise<string>((done) => execFile(join(binDir, 'pg_restore'), ['-l', newer], (_e, _o, err) => done(err)));
    expect(stderr).toMatch(/unsupported version \(1\.16\)/);
    const mapped = classifyRestoreFailure(
      { exitCode: 1, signal: null, stderrTail: stderr },
      [],
      { version: `${pg15.major}`, major: pg15.major },
      await readArchiveHeader(newer),
      resolveConnection(pg15.url('newer_format'), {}),
    );
    expect(mapped).toBeInstanceOf(RestoreClientTooOldError);
  });

  it('names pg_restore 17+\'s transaction_timeout on older targets as a known issue, not an error', async () => {
    // The exact error a server before 17 gives for the SET pg_restore 17+ sends.
    const refused = await failure(pg14.query('SET transaction_timeout = 0'));
    const serverMessage = (refused as Error).message;
    expect(serverMessage).toBe('unrecognized configuration parameter "transaction_timeout"');
    await expect(pg17.query('SET transaction_timeout = 0')).resolves.toBeDefined();
    // pg_restore prints one such error per connection (more with --jobs).
    const messages = [
      `could not execute query: ERROR:  ${serverMessage}`,
      `could not execute query: ERROR:  ${serverMessage}`,
      'could not execute query: ERROR:  relation "orders" already exists',
    ];
    const older = classifyRestoreErrors(messages, { clientMajor: 17, targetMajor: 14 });
    expect(older.known).toEqual([expect.objectContaining({ id: 'transaction-timeout', count: 2 })]);
    expect(older.other).toEqual([messages[2]]);
    // With pg_restore 16 the same text would be a real error: nothing is hidden by accident.
    expect(classifyRestoreErrors(messages, { clientMajor: 16, targetMajor: 14 }).other).toHaveLength(3);
    expect(classifyRestoreErrors(messages, { clientMajor: 17, targetMajor: 17 }).other).toHaveLength(3);
  });
});
