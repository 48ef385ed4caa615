/**
 * What a backup holds is never run with more power than a database owner has: a dump whose
 * constraint calls a function doing `COPY ... TO PROGRAM` restores as a role that is no
 * superuser, so the program does not run; a globals script with psql meta-commands never
 * reaches psql; operator checks run one statement, read-only, as a role that cannot write.
 * Real PostgreSQL, real pg_dump/pg_restore/psql, the real CLI for the drills.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  drill,
  drillOperation,
  newBackupId,
  objectSource,
  resolveOptions,
  restore,
  restoreOperation,
  serializeManifest,
  type DrillRecord,
  type Manifest,
} from '@lifeboat/core';
import { runSqlChecks } from '../../packages/core/src/engines/postgres/drill/run-sql-checks.js';
import { parseExpectation } from '../../packages/core/src/engines/postgres/drill/sql-checks.js';
import { resolveConnection } from '../../packages/core/src/engines/postgres/connection.js';
import { backupOptions, freshFolder, onlyManifest, testContext } from '../backup/support.js';
import { createSample } from '../postgres/sample.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { runCli } from '../support/cli.js';

const PASSPHRASE = 'code in backups passphrase 1234';
let pg: PgServer;
let store: string;
let markers: string;
let restored = 0;

const marker = (name: string) => join(markers, name);

/**
 * A database whose table has a CHECK constraint calling a function that runs a program
 * through `COPY ... TO PROGRAM`, anywhere but in this database: restoring its rows
 * anywhere runs the program there, as the server's OS user, when the restore is a superuser's.
 */
async function createProgramRunningDatabase(name: string, file: string): Promise<void> {
  await pg.createDatabase(name);
  await pg.query(
    `CREATE FUNCTION public.sneak(v int) RETURNS boolean LANGUAGE plpgsql AS $fn$
     BEGIN
       IF inet_server_port() IS DISTINCT FROM ${pg.port} OR current_database() <> '${name}' THEN
         -- The program reads its input to the end: one that exits first breaks COPY's pipe.
         EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'cat > /dev/null; touch ${marker(file)}');
       END IF;
       RETURN true;
     END $fn$;
     CREATE TABLE public.payments (id int PRIMARY KEY, amount int);
     INSERT INTO public.payments VALUES (1, 10), (2, 20);
     ALTER TABLE public.payments ADD CONSTRAINT sneaky CHECK (public.sneak(amount));`,
    [],
    name,
  );
}

beforeAll(async () => {
  pg = await startPostgres();
  markers = freshFolder('lifeboat-markers-');
  // The throwaway server runs as another OS user; it must be able to leave a marker here.
  chmodSync(markers, 0o777);
  store = freshFolder();
  await createSample(pg, 'app');
  await createProgramRunningDatabase('evil', 'ran-in-drill');
  const base = { store, passphrase: PASSPHRASE };
  for (const database of ['app', 'evil']) {
    const outcome = await backup(backupOptions({ ...base, 'database-url': pg.url(database) }), testContext());
    expect(outcome.failure).toBeUndefined();
  }
  const globals = await backup(backupOptions({ ...base, 'database-url': pg.url('postgres'), databases: 'app', globals: 'true' }), testContext());
  expect(globals.failure).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  for (const dir of [store, markers]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function drillOptions(name: string, extra: Record<string, string | undefined> = {}) {
  return resolveOptions(
    drillOperation,
    objectSource({ store, name, passphrase: PASSPHRASE, 'allow-unsigned': 'true', 'record-drill': 'false', 'evidence-dir': join(store, '.evidence'), ...extra }),
  );
}

async function leftoverRoles(): Promise<string[]> {
  const rows = await pg.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'lifeboat\\_%' OR rolname IN ('x', 'sneaky_superuser') ORDER BY 1");
  return rows.map((r) => r.rolname);
}

describe('a backup whose restore would run a program (COPY ... TO PROGRAM in a constraint)', () => {
  it('does not run it in a default drill: pg_restore is no superuser, and the drill fails on the refused rows', async () => {
    const outcome = await drill(drillOptions('evil'), testContext());
    expect(existsSync(marker('ran-in-drill'))).toBe(false);
    expect(outcome.ok).toBe(false);
    const record = outcome.data as DrillRecord;
    expect((record.notes ?? []).join('\n')).toMatch(/pg_restore ran as lifeboat_restore_[0-9a-f]{12}, a temporary role that is no superuser and owns only the target database\./);
    const errors = record.checks.find((c) => c.kind === 'restore-errors');
    expect(errors).toMatchObject({ ok: false });
    expect(errors?.message).toContain('must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program');
  });

  it('runs it only with restore-as-superuser, the explicit opt-in (the drill on the CLI)', async () => {
    const run = await runCli(['drill', '--store', store, '--name', 'evil', '--allow-unsigned', 'true', '--record-drill', 'false', '--evidence-dir', join(store, '.evidence-su'), '--restore-as-superuser', 'true'], {
      ...process.env,
      LIFEBOAT_PASSPHRASE: PASSPHRASE,
    });
    const ran = existsSync(marker('ran-in-drill'));
    rmSync(marker('ran-in-drill'), { force: true });
    expect(ran).toBe(true);
    expect(run.code, run.output).toBe(0);
  });

  it('refuses restore-owners without restore-as-superuser, naming the way out', async () => {
    const outcome = await drill(drillOptions('evil', { 'target-database-url': pg.url('postgres'), 'restore-owners': 'true' }), testContext());
    expect(outcome.failure).toContain('`restore-owners` gives objects to the source\'s roles, which only a superuser may do');
    expect(await leftoverRoles()).toEqual([]);
  });

  it('does not run it in a drill into a scratch database, and the restore role is gone afterwards', async () => {
    const outcome = await drill(drillOptions('evil', { 'target-database-url': pg.url('postgres') }), testContext());
    expect(outcome.ok).toBe(false);
    expect(existsSync(marker('ran-in-drill'))).toBe(false);
    expect(await leftoverRoles()).toEqual([]);
  });

  it('does not run it in a restore, which shows pg_restore\'s error, gives the restored objects to the database owner and drops its role', async () => {
    const database = `restored_${++restored}`;
    await pg.createDatabase(database);
    const options = resolveOptions(restoreOperation, objectSource({ store, name: 'evil', passphrase: PASSPHRASE, 'allow-unsigned': 'true', 'target-database-url': pg.url(database) }));
    const context = testContext();
    const outcome = await restore(options, context);
    expect(existsSync(marker('ran-in-drill'))).toBe(false);
    expect(outcome.ok).toBe(false);
    // The summary shows pg_restore's own error lines, not only how many there were.
    const summary = context.reporter.summaries.join('\n');
    expect(summary).toContain('Errors the restore reported (1):');
    expect(summary).toContain('COPY failed for table "payments": ERROR:  must be superuser or have privileges of the pg_execute_server_program role');
    const owners = await pg.query<{ owner: string }>("SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'payments'", [], database);
    expect(owners).toEqual([{ owner: pg.user }]);
    expect(await leftoverRoles()).toEqual([]);
  });
});

describe('restore into a database that is not empty', () => {
  it.each([
    ['a partitioned table', 'CREATE TABLE events (at date) PARTITION BY RANGE (at)', 'partitioned table events'],
    ['a view', 'CREATE VIEW v AS SELECT 1 AS one', 'view v'],
    ['a schema', 'CREATE SCHEMA staging', 'schema staging'],
    ['a function', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', 'function f()'],
    ['a sequence', 'CREATE SEQUENCE s', 'sequence s'],
    ['a type', "CREATE TYPE mood AS ENUM ('ok')", 'enum type mood'],
    ['a large object', 'SELECT lo_create(4242)', 'large object 4242'],
  ])('refuses one holding only %s, naming it', async (_kind, sql, named) => {
    const database = `restored_${++restored}`;
    await pg.createDatabase(database);
    await pg.query(sql, [], database);
    const options = resolveOptions(restoreOperation, objectSource({ store, name: 'app', passphrase: PASSPHRASE, 'allow-unsigned': 'true', 'target-database-url': pg.url(database) }));
    await expect(restore(options, testContext())).rejects.toThrow(
      `Database ${database} on 127.0.0.1:${pg.port} already holds 1 user object (${named}); restore refuses to mix a backup into existing data.`,
    );
  });
});

describe('a globals script with psql meta-commands', () => {
  /** Replaces the newest globals backup's payload with `script`, stored plaintext, as someone with write access can. */
  function forgeGlobals(script: string): string {
    const { manifest, dir } = onlyManifest(store, 'globals');
    const id = newBackupId(new Date(Date.now() + 1000));
    const forgedDir = join(store, 'globals', id);
    mkdirSync(forgedDir);
    const bytes = Buffer.from(script);
    writeFileSync(join(forgedDir, 'globals.sql'), bytes);
    const forged: Manifest = {
      ...manifest,
      id,
      objects: [{ role: 'payload', file: 'globals.sql', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
      encryption: { scheme: 'none', recipients: [], passphrase: false },
    };
    writeFileSync(join(forgedDir, 'manifest.json'), serializeManifest(forged));
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toContain(manifest.id);
    return forgedDir;
  }

  it('never reaches a shell: the drill refuses the script, naming the line', async () => {
    const forgedDir = forgeGlobals(`SET client_encoding = 'UTF8';\nCREATE ROLE sneaky_superuser SUPERUSER;\n\\! touch ${marker('meta-command-ran')}\n`);
    try {
      const outcome = await drill(drillOptions('globals', { 'allow-unencrypted': 'true', passphrase: undefined }), testContext());
      expect(outcome.failure).toContain('restore failed: The globals script was refused at line 3: psql meta-command \\! is not allowed in a globals script; psql was not run.');
      expect(existsSync(marker('meta-command-ran'))).toBe(false);
    } finally {
      rmSync(forgedDir, { recursive: true, force: true });
    }
  });

  it('restores what pg_dumpall wrote into a throwaway server', async () => {
    const outcome = await drill(drillOptions('globals'), testContext());
    expect(outcome.failure).toBeUndefined();
  });

  it('is refused into target-database-url, saying that roles belong to the whole server', async () => {
    const outcome = await drill(drillOptions('globals', { 'target-database-url': pg.url('postgres') }), testContext());
    expect(outcome.failure).toContain('Roles belong to the whole server, not to a database: restoring them through `target-database-url` would change the roles of the server at 127.0.0.1');
    expect(await leftoverRoles()).toEqual([]);
  });
});

describe('operator checks', () => {
  it('refuse `COMMIT; CREATE ROLE x SUPERUSER` before the drill downloads anything, and no role appears', async () => {
    const checks = '- name: escape\n  sql: "COMMIT; CREATE ROLE x SUPERUSER"\n  expect: no rows\n';
    const outcome = await drill(drillOptions('app', { checks, 'target-database-url': pg.url('postgres') }), testContext());
    expect(outcome.failure).toContain('the checks option: "escape" holds 2 statements; a check runs exactly one.');
    // Checks are read once the backup's kind is known, before anything is downloaded.
    expect((outcome.data as DrillRecord).phases.map((p) => p.name)).toEqual(['select']);
    expect(await leftoverRoles()).toEqual([]);
  });

  it('run one statement each, read-only, as a role that is no superuser and cannot write', async () => {
    const check = (name: string, sql: string, expectText: string) => ({ name, sql, expect: parseExpectation(expectText)!, expectText });
    const { results, notes } = await runSqlChecks(resolveConnection(pg.url('app')), [
      // Past the loader (which refuses it), the extended protocol still runs one statement.
      check('escape', 'COMMIT; CREATE ROLE x SUPERUSER', 'no rows'),
      check('write', 'CREATE ROLE x SUPERUSER', 'no rows'),
      check('who', 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user', 'false'),
      check('reads', 'SELECT count(*) FROM app.customers', '120'),
      check('insert', "INSERT INTO app.customers (id, name) VALUES (999, 'x') RETURNING 1", '1'),
    ]);
    expect(notes).toEqual([]);
    expect(results.map((r) => [r.name, r.ok, r.message ?? r.actual])).toEqual([
      ['escape', false, 'cannot insert multiple commands into a prepared statement'],
      ['write', false, 'cannot execute CREATE ROLE in a read-only transaction'],
      ['who', true, 'false'],
      ['reads', true, '120'],
      ['insert', false, 'cannot execute INSERT in a read-only transaction'],
    ]);
    expect(await leftoverRoles()).toEqual([]);
  });
});
