import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionForDatabase,
  createPostgresGlobalsSource,
  createPostgresSource,
  DatabaseNotFoundError,
  describeError,
  listDatabases,
  resolveConnection,
  resolveDatabases,
  type PostgresStats,
} from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { dumpToFile, machineClientBinDir } from './sample.js';

let server: PgServer;
let work: string;
const binDir = machineClientBinDir();

beforeAll(async () => {
  server = await startPostgres();
  work = mkdtempSync(join(tmpdir(), 'lifeboat-pg-dbs-'));
  for (const name of ['alpha', 'beta']) {
    await server.createDatabase(name);
    await server.query(`CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, ${name.length})`, [], name);
  }
  await server.query("CREATE ROLE reporting LOGIN PASSWORD 'reporting-role-pw'");
});
afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('several databases and globals', () => {
  it('lists the databases that accept connections, templates excluded', async () => {
    const names = await listDatabases(server.url());
    expect(names).toEqual(['alpha', 'beta', 'postgres']);
  });

  it('resolves `databases`: empty → the URL\'s, `all` → every one, names → checked', async () => {
    expect(await resolveDatabases(server.url('beta'), undefined)).toEqual(['beta']);
    expect(await resolveDatabases(server.url(), ['all'])).toEqual(['alpha', 'beta', 'postgres']);
    expect(await resolveDatabases(server.url(), ['beta', 'alpha', 'beta'])).toEqual(['beta', 'alpha']);
    const error = await resolveDatabases(server.url(), ['alpha', 'gamma']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseNotFoundError);
    expect(describeError(error)).toMatch(/'gamma' not found.*Existing databases: alpha, beta, postgres/);
  });

  it('backs up each database on its own, named after it', async () => {
    const base = resolveConnection(server.url(), {});
    for (const database of await resolveDatabases(base, ['all'])) {
      const source = await createPostgresSource({ connection: connectionForDatabase(base, database), binDir });
      expect(source.defaultName).toBe(database);
      const result = await dumpToFile(source, join(work, `${database}.pgdump`));
      expect(result.manifest.database).toBe(database);
      const tables = (result.stats as PostgresStats).tables;
      expect(tables).toEqual(database === 'postgres' ? [] : [{ schema: 'public', name: 't', rows: database.length }]);
    }
  });

  it('backs up roles with pg_dumpall --globals-only, with or without password hashes', async () => {
    const connection = resolveConnection(server.url(), {});
    const source = await createPostgresGlobalsSource({ connection, binDir });
    expect(source).toMatchObject({ kind: 'postgres', payloadFile: 'globals.sql', defaultName: 'globals' });
    const file = join(work, 'globals.sql');
    const result = await dumpToFile(source, file);
    expect(result.manifest).toMatchObject({ kind: 'postgres', dumpFormat: 'globals-sql', serverMajor: server.major, compression: 'none' });
    const sql = readFileSync(file, 'utf8');
    expect(sql).toMatch(/CREATE ROLE reporting;/);
    expect(sql).toMatch(/ALTER ROLE reporting WITH .*PASSWORD 'SCRAM-SHA-256\$/);
    expect(sql).not.toContain('reporting-role-pw');

    const withoutHashes = join(work, 'globals-nopw.sql');
    await dumpToFile(await createPostgresGlobalsSource({ connection, binDir, rolePasswords: false }), withoutHashes);
    const plain = readFileSync(withoutHashes, 'utf8');
    expect(plain).toMatch(/CREATE ROLE reporting;/);
    expect(plain).not.toMatch(/SCRAM-SHA-256/);
  });
});
