/**
 * `preset: sqlite` with the real sqlite3 shell: `.dump` at backup, `.read {payload}` into a
 * scratch file at drill time with exact row counts, `lifeboat restore --target-url` into a new
 * file, and a missing database file refused without a manifest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupsIn, backupWith, drillWith, folder, makeKeys, onlyBackup, restoreWith, type Keys } from './support.js';

const sqlite = (db: string, sql: string) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
let keys: Keys;
let store: string;
let db: string;

beforeAll(async () => {
  keys = await makeKeys();
  const dir = folder('lifeboat-sqlite-');
  db = join(dir, 'app.db');
  sqlite(db, `create table users (id integer primary key, name text);
    create table events (id integer primary key, user integer, payload blob);
    insert into users (name) values ('ada'), ('grace'), ('it''s me');
    with recursive n(i) as (select 1 union all select i + 1 from n where i < 2500) insert into events (user, payload) select i % 3, randomblob(64) from n;`);
  store = folder();
});

describe('preset: sqlite', () => {
  it('backs up with sqlite3 .dump, counts in the stats', async () => {
    const outcome = await backupWith({ store, name: 'app', preset: 'sqlite', 'source-url': db }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    const { manifest, dir } = onlyBackup(store, 'app');
    expect(manifest.source).toMatchObject({ kind: 'command', preset: 'sqlite', payloadFile: 'dump.sql', counted: true });
    expect(existsSync(join(dir, 'dump.sql.pgp'))).toBe(true);
  });

  it('drills into a scratch file with .read {payload}: exact counts, a command check on TARGET_PATH', async () => {
    const checks = `
- name: three users
  command: sqlite3 "$TARGET_PATH" "select count(*) from users"
  expect: "= 3"
- name: users as recorded
  command: sqlite3 "$TARGET_PATH" "select json_object('users', count(*)) from users"
  field: users
  expect: recorded
`;
    const { outcome, record } = await drillWith({ store, name: 'app', checks }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(record.target).toBe("a scratch SQLite file in the drill's private folder");
    expect(record.checks.filter((c) => c.kind === 'command-count').map((c) => [c.name, c.ok, c.actual])).toEqual([
      ['count of events', true, 2500],
      ['count of users', true, 3],
    ]);
    expect(record.checks.find((c) => c.name === 'restore command')).toMatchObject({ ok: true, command: expect.stringContaining('.read') });
    expect(record.checks.find((c) => c.name === 'three users')).toMatchObject({ ok: true, actual: '3', exitCode: 0 });
    expect(record.checks.find((c) => c.name === 'users as recorded')).toMatchObject({ ok: true, expected: 3, actual: 3 });
  });

  it('restores into a new file with lifeboat restore --target-url', async () => {
    const into = join(folder('lifeboat-sqlite-restored-'), 'restored.db');
    const outcome = await restoreWith({ store, name: 'app', 'target-url': `file:${into}` }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(sqlite(into, "select name from users where name like 'it%'").trim()).toBe("it's me");
    expect(sqlite(into, 'select hex(payload) from events order by id limit 3')).toBe(sqlite(db, 'select hex(payload) from events order by id limit 3'));
  });

  it('refuses a database file that does not exist, naming the command and its stderr, with no manifest', async () => {
    const other = folder();
    const outcome = await backupWith({ store: other, name: 'app', preset: 'sqlite', 'source-url': join(other, 'missing.db') }, keys);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/The count command `.*` exited with status 1\. Its stderr ended with: Error: unable to open database .*missing\.db/);
    expect(backupsIn(other, 'app')).toEqual({ complete: [], partial: [] });
  });
});
