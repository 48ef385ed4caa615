/**
 * `preset: mariadb` with real servers: mariadb-dump of a throwaway mariadbd, a drill into a
 * second throwaway server with exact row counts and command checks, `lifeboat restore`, and
 * the break-glass steps of docs/command.md run by hand.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startMariaDb, type MariaDbServer } from '../services/mariadb.js';
import { backupWith, drillWith, folder, makeKeys, onlyBackup, restoreWith, testContext, type Keys } from './support.js';

const exec = promisify(execFile);
let source: MariaDbServer;
let target: MariaDbServer;
let keys: Keys;
let store: string;

beforeAll(async () => {
  [source, target, keys] = await Promise.all([startMariaDb('src pass/1@x'), startMariaDb('tgt pass:2'), makeKeys()]);
  await source.sql("create database shop");
  await source.sql(`
    use shop;
    create table shop.customers (id int primary key, name varchar(40));
    create table shop.orders (id int primary key auto_increment, customer int, total decimal(10,2), note blob);
    insert into shop.customers values (1, 'Ada'), (2, 'Grace'), (3, 'Barbara');
    insert into shop.orders (customer, total, note) select 1 + (seq % 3), seq / 7, unhex('00ff10') from seq_1_to_1200;`, "shop");
  store = folder();
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([source?.stop(), target?.stop()]);
});

describe('preset: mariadb', () => {
  it('backs up with mariadb-dump --single-transaction, the password kept out of the manifest, counts in the stats', async () => {
    const context = testContext();
    const outcome = await backupWith({ store, name: 'shop', preset: 'mariadb', 'source-url': source.url('shop') }, keys, context);
    expect(outcome.ok, outcome.failure).toBe(true);
    const { manifest, manifestText } = onlyBackup(store, 'shop');
    expect(manifest.source).toMatchObject({ kind: 'command', preset: 'mariadb', shell: true, payloadFile: 'dump.sql', exitCode: 0, counted: true });
    expect((manifest.source as unknown as { command: string }).command).toContain('mariadb-dump');
    expect(manifestText).not.toContain(source.password);
    expect(manifestText).not.toContain(encodeURIComponent(source.password));
    expect(context.reporter.text()).not.toContain(source.password);
  });

  it('drills into a throwaway server: the recorded row counts come back exactly, command checks pass, each command is in the evidence', async () => {
    await target.sql('create database drill');
    const checks = `
- name: three customers
  command: MYSQL_PWD="$TARGET_PASSWORD" mariadb -h "$TARGET_HOST" -P "$TARGET_PORT" -u "$TARGET_USER" -N -e "select count(*) from customers" "$TARGET_DATABASE"
  expect: "= 3"
- name: orders as recorded
  command: MYSQL_PWD="$TARGET_PASSWORD" mariadb -h "$TARGET_HOST" -P "$TARGET_PORT" -u "$TARGET_USER" -N -e "select json_object('orders', count(*)) from orders" "$TARGET_DATABASE"
  field: orders
  expect: recorded
`;
    const { outcome, record } = await drillWith({ store, name: 'shop', 'target-url': target.url('drill'), checks }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(record.verdict).toBe('pass');
    expect(record.checks.filter((c) => c.kind === 'command-count').map((c) => [c.name, c.expected, c.actual])).toEqual([
      ['count of customers', 3, 3],
      ['count of orders', 1200, 1200],
    ]);
    expect(record.checks.filter((c) => c.kind === 'command').map((c) => [c.name, c.ok, c.actual])).toEqual([
      ['three customers', true, '3'],
      ['orders as recorded', true, 1200],
    ]);
    const restore = record.checks.find((c) => c.name === 'restore command')!;
    expect(restore).toMatchObject({ ok: true, exitCode: 0, command: expect.stringContaining('mariadb --host=') });
    expect(typeof restore.durationMs).toBe('number');
    expect(JSON.stringify(record)).not.toContain(target.password);
    expect(await target.sql('select sum(total) from orders', 'drill')).toBe(await source.sql('select sum(total) from orders', 'shop'));
  });

  it('fails a drill whose restored counts differ, naming the table', async () => {
    await target.sql('create database drill2');
    const { outcome } = await drillWith(
      { store, name: 'shop', 'target-url': target.url('drill2'), 'restore-command': 'MYSQL_PWD="$TARGET_PASSWORD" mariadb -h "$TARGET_HOST" -P "$TARGET_PORT" -u "$TARGET_USER" "$TARGET_DATABASE" && MYSQL_PWD="$TARGET_PASSWORD" mariadb -h "$TARGET_HOST" -P "$TARGET_PORT" -u "$TARGET_USER" -e "delete from orders limit 5" "$TARGET_DATABASE"', preset: 'mariadb' },
      keys,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('count of orders (expected 1200, got 1195)');
  });

  it('restores with lifeboat restore --target-url', async () => {
    await target.sql('create database restored');
    const outcome = await restoreWith({ store, name: 'shop', 'target-url': target.url('restored') }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect((await target.sql('select count(*) from orders', 'restored')).trim()).toBe('1200');
  });

  it('preset: mysql runs the same steps with the mysqldump and mysql names (here MariaDB\'s clients, against MariaDB)', async () => {
    const mysqlStore = folder();
    const backup = await backupWith({ store: mysqlStore, name: 'shop', preset: 'mysql', 'source-url': source.url('shop') }, keys);
    expect(backup.ok, backup.failure).toBe(true);
    expect((onlyBackup(mysqlStore, 'shop').manifest.source as unknown as { command: string }).command).toMatch(/^MYSQL_PWD=.* exec mysqldump /);
    await target.sql('create database drill_mysql');
    const { outcome, record } = await drillWith({ store: mysqlStore, name: 'shop', 'target-url': target.url('drill_mysql') }, keys);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(record.checks.filter((c) => c.kind === 'command-count').map((c) => [c.name, c.actual])).toEqual([
      ['count of customers', 3],
      ['count of orders', 1200],
    ]);
  });

  it('restores by hand with the break-glass steps of docs/command.md', async () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'command.md'), 'utf8');
    const block = /<!-- break-glass-mariadb -->\s*```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block, 'docs/command.md has the MariaDB break-glass block').toBeDefined();
    await target.sql('create database byhand');
    const { dir } = onlyBackup(store, 'shop');
    const [id, name] = [dir.split('/').pop()!, 'shop'];
    const gpg: GpgHome = await createGpgHome({ generateKey: false });
    try {
      const desk = folder('lifeboat-break-glass-');
      writeFileSync(join(desk, 'lifeboat-signing.pub.asc'), keys.signing.publicKey);
      writeFileSync(join(desk, 'lifeboat.key.asc'), keys.encryption.privateKey);
      const settings: Record<string, string> = { STORE: store, NAME: name, ID: id, HOST: '127.0.0.1', PORT: String(target.port), USER: target.user, DATABASE: 'byhand' };
      let script = block!;
      for (const [key, value] of Object.entries(settings)) {
        const pattern = new RegExp(`^${key}=\\S*`, 'm');
        expect(script).toMatch(pattern);
        script = script.replace(pattern, `${key}='${value}'`);
      }
      await exec('sh', ['-euc', script], { cwd: desk, env: { PATH: process.env.PATH, HOME: desk, GNUPGHOME: gpg.home, MYSQL_PWD: target.password } });
      expect((await target.sql('select count(*) from orders', 'byhand')).trim()).toBe('1200');
      expect((await target.sql('select name from customers order by id', 'byhand')).trim().split('\n')).toEqual(['Ada', 'Grace', 'Barbara']);
    } finally {
      await gpg.cleanup();
    }
  });
});
