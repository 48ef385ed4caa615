import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backup,
  missingGrants,
  preflight,
  preflightOperation,
  PrivilegesMissingError,
  resolveOptions,
  objectSource,
  S3BucketNotFoundError,
  StoreFolderMissingError,
  type PreflightCheck,
} from '@lifeboat/core';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { startS3, type S3Service } from '../services/s3.js';
import { runCli } from '../support/cli.js';
import { backupOptions, filesUnder, freshFolder, testContext } from './support.js';

// Every program the PostgreSQL source starts (pg_dump, tar), recorded to prove pg_dump never started.
const spawned = vi.hoisted(() => [] as string[]);
vi.mock('../../packages/core/src/engines/postgres/client-tool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../packages/core/src/engines/postgres/client-tool.js')>();
  return {
    ...original,
    spawnTool: (...args: Parameters<typeof original.spawnTool>) => {
      spawned.push(basename(args[0]));
      return original.spawnTool(...args);
    },
  };
});

let pg: PgServer;
let gpg: GpgHome;
let s3: S3Service;
let largeObject: string;
const ROLE = 'backup_reader';
const ROLE_PASSWORD = 'reader-password-1234';

/** The `shop` database as the least-privilege role sees it. */
function readerUrl(): string {
  const url = new URL(pg.url('shop'));
  url.username = ROLE;
  url.password = ROLE_PASSWORD;
  return url.toString();
}

/** A loopback port nothing listens on: a database URL there proves the database was never contacted. */
async function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  [pg, gpg, s3] = await Promise.all([startPostgres(), createGpgHome(), startS3()]);
  await pg.createDatabase('shop');
  await pg.query(
    `CREATE TABLE public.orders (id serial PRIMARY KEY, total numeric);
     INSERT INTO public.orders (total) SELECT g FROM generate_series(1, 20) g;
     CREATE TABLE public.secrets (id int, token text);
     INSERT INTO public.secrets VALUES (1, 'not for the backup role');
     CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}';
     GRANT USAGE ON SCHEMA public TO ${ROLE};
     GRANT SELECT ON public.orders TO ${ROLE};
     GRANT SELECT ON SEQUENCE public.orders_id_seq TO ${ROLE};`,
    [],
    'shop',
  );
  const [row] = await pg.query<{ oid: string }>(`SELECT lo_from_bytea(0, 'a large object'::bytea)::text AS oid`, [], 'shop');
  largeObject = row!.oid;
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), s3?.stop()]);
});
beforeEach(() => {
  spawned.length = 0;
});

const options = (values: Record<string, string | undefined>) =>
  resolveOptions(preflightOperation, objectSource({ recipients: gpg.publicKeyArmored, ...values }));
const row = (checks: readonly PreflightCheck[], name: string) => checks.find((c) => c.name === name);

describe('preflight with a least-privilege role', () => {
  it('fails naming the table, the large object and the exact GRANTs, and writes nothing', async () => {
    const folder = freshFolder();
    const context = testContext();
    const outcome = await preflight(options({ 'database-url': readerUrl(), store: folder }), context);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toBe('Preflight failed: privileges shop.');
    expect(outcome.outputs).toEqual({ passed: false, failed: 'privileges shop' });
    const { checks } = outcome.data as { checks: PreflightCheck[] };
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['encryption', 'pass'],
      ['signing', 'warn'],
      ['settings', 'pass'],
      ['store', 'pass'],
      ['engine', 'pass'],
      ['source', 'pass'],
      ['pg_dump', 'pass'],
      ['databases', 'pass'],
      ['privileges shop', 'fail'],
    ]);
    const privileges = row(checks, 'privileges shop')!.detail;
    expect(privileges).toContain(`Role ${ROLE} lacks SELECT on table public.secrets and SELECT on 1 large object in database shop`);
    expect(privileges).toContain(`GRANT SELECT ON TABLE public.secrets TO ${ROLE}; GRANT SELECT ON LARGE OBJECT ${largeObject} TO ${ROLE};`);
    expect(privileges).not.toContain('orders');
    // Keys by the last 8 characters of their fingerprints only; settings by name only.
    expect(row(checks, 'encryption')!.detail).toContain(`…${gpg.fingerprint.slice(-8).toUpperCase()}`);
    expect(JSON.stringify(checks)).not.toContain(gpg.fingerprint);
    expect(row(checks, 'settings')!.detail).toBe('Given: database-url, store, recipients.');
    expect(JSON.stringify(checks)).not.toContain(ROLE_PASSWORD);
    const table = context.reporter.summaries.join('\n');
    expect(table).toContain('| privileges shop | FAIL |');
    expect(table).toContain('**FAIL**: privileges shop.');
    expect(readdirSync(folder)).toEqual([]);
    expect(spawned).not.toContain('pg_dump');
  });

  it('the same role\'s backup fails before pg_dump starts, storing nothing', async () => {
    const folder = freshFolder();
    const error = await backup(backupOptions({ 'database-url': readerUrl(), store: folder, recipients: gpg.publicKeyArmored }), testContext()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PrivilegesMissingError);
    expect((error as PrivilegesMissingError).fix).toContain(`GRANT SELECT ON TABLE public.secrets TO ${ROLE};`);
    expect(spawned).toEqual([]);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('once the printed GRANTs are run, preflight passes and the backup runs pg_dump', async () => {
    const facts = (
      (await backup(backupOptions({ 'database-url': readerUrl(), store: freshFolder(), passphrase: 'a long enough passphrase' }), testContext()).catch(
        (e: unknown) => e,
      )) as PrivilegesMissingError
    ).facts;
    for (const grant of missingGrants(facts)) await pg.query(grant, [], 'shop');
    const folder = freshFolder();
    const checked = await preflight(options({ 'database-url': readerUrl(), store: folder }), testContext());
    expect(checked.failure).toBeUndefined();
    expect(checked.ok).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
    const done = await backup(backupOptions({ 'database-url': readerUrl(), store: folder, recipients: gpg.publicKeyArmored }), testContext());
    expect(done.failure).toBeUndefined();
    expect(spawned).toContain('pg_dump');
    expect(readdirSync(join(folder, 'shop'))).toHaveLength(1);
  });
});

describe('a store that is not there', () => {
  it('fails preflight, and the backup before the database is contacted (folder)', async () => {
    const folder = join(freshFolder(), 'typo');
    const outcome = await preflight(options({ 'database-url': pg.url('shop'), store: folder }), testContext());
    expect(outcome.ok).toBe(false);
    const { checks } = outcome.data as { checks: PreflightCheck[] };
    expect(row(checks, 'store')).toMatchObject({ status: 'fail', detail: expect.stringContaining(`The store folder ${folder} does not exist.`) });
    // The other checks still ran: one preflight shows every problem.
    expect(row(checks, 'privileges shop')?.status).toBe('pass');
    expect(existsSync(folder)).toBe(false);

    const deadDatabase = `postgres://nobody:x@127.0.0.1:${await closedPort()}/shop`;
    const error = await backup(backupOptions({ 'database-url': deadDatabase, store: folder, passphrase: 'a long enough passphrase' }), testContext()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreFolderMissingError);
    expect(existsSync(folder)).toBe(false);
    expect(spawned).toEqual([]);
  });

  it('`create-store: true`: preflight passes without creating it, the backup creates it', async () => {
    const folder = join(freshFolder(), 'new-store');
    const checked = await preflight(options({ 'database-url': pg.url('shop'), store: folder, 'create-store': 'true' }), testContext());
    expect(checked.ok).toBe(true);
    expect(row((checked.data as { checks: PreflightCheck[] }).checks, 'store')!.detail).toContain('does not exist yet; the backup creates it');
    expect(existsSync(folder)).toBe(false);
    const done = await backup(backupOptions({ 'database-url': pg.url('shop'), store: folder, 'create-store': 'true', passphrase: 'a long enough passphrase' }), testContext());
    expect(done.ok).toBe(true);
    expect(readdirSync(join(folder, 'shop'))).toHaveLength(1);
  });

  it('fails preflight, and the backup before the database is contacted (bucket)', async () => {
    const s3Values = { store: 's3://no-such-bucket/prod', 's3-endpoint': s3.endpoint, 's3-force-path-style': 'true' };
    const outcome = await preflight(options({ 'database-url': pg.url('shop'), ...s3Values }), testContext(s3.env));
    expect(outcome.ok).toBe(false);
    expect(row((outcome.data as { checks: PreflightCheck[] }).checks, 'store')!.detail).toContain(`Bucket 'no-such-bucket' does not exist at ${s3.endpoint}.`);
    const deadDatabase = `postgres://nobody:x@127.0.0.1:${await closedPort()}/shop`;
    const error = await backup(backupOptions({ 'database-url': deadDatabase, ...s3Values, passphrase: 'a long enough passphrase' }), testContext(s3.env)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(S3BucketNotFoundError);
    expect(spawned).toEqual([]);
  });
});

describe('lifeboat preflight', () => {
  it('prints the PASS/FAIL table and exits non-zero on a FAIL, zero when all pass', async () => {
    const env = { ...process.env, LIFEBOAT_RECIPIENTS: gpg.publicKeyArmored, LIFEBOAT_DATABASE_URL: pg.url('shop') };
    const failing = await runCli(['preflight', '--store', join(freshFolder(), 'missing')], env);
    expect(failing.code).toBe(1);
    expect(failing.output).toContain('| store | FAIL | The store folder');
    expect(failing.output).toContain('error: Preflight failed: store.');
    const passing = await runCli(['preflight', '--store', freshFolder()], env);
    expect(passing.output).toContain('| privileges shop | PASS |');
    expect(passing.code).toBe(0);
  });
});
