/**
 * `preset: keycloak` against a stand-in `kc.sh` (test/command/stand-in-keycloak/, first on
 * PATH): neither Keycloak nor Java runs on these machines. The stand-in follows kc.sh's
 * documented export/import command lines and KC_DB_* settings, logs to stdout as kc.sh does,
 * and leaves users out of the realm file unless `--users realm_file`; so this checks the
 * preset's arguments, that the password never reaches a command line, that kc.sh's log stays
 * out of the payload, the per-realm counts, and that a lossy import fails the drill.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupsIn, backupWith, drillWith, folder, makeKeys, onlyBackup, testContext, type Keys } from './support.js';

const STAND_INS = join(import.meta.dirname, 'stand-in-keycloak');
const PASSWORD = 'kc-Secret-pw7';
let keys: Keys;
let root: string;

const realm = (name: string, users: number) => ({
  realm: name,
  users: Array.from({ length: users }, (_, i) => ({ username: `user${i}`, credentials: [{ type: 'password', secretData: `hash-${i}` }] })),
  clients: [{ clientId: `${name}-app` }, { clientId: 'account' }],
  groups: [{ name: 'staff' }],
  roles: { realm: [{ name: 'admin' }, { name: 'viewer' }, { name: 'auditor' }] },
});

/** A stand-in Keycloak database (host db, port 5432), its realms, and its URL. */
function database(name: string, realms: ReturnType<typeof realm>[], marker?: string): string {
  const dir = join(root, `db-5432-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'password'), PASSWORD);
  for (const r of realms) writeFileSync(join(dir, `${r.realm}.json`), JSON.stringify(r));
  if (marker) writeFileSync(join(dir, marker), '');
  return `postgres://keycloak:${PASSWORD}@db:5432/${name}`;
}

const realmsIn = (name: string) =>
  readdirSync(join(root, `db-5432-${name}`))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(root, `db-5432-${name}`, f), 'utf8')) as unknown);

const context = () => testContext({ PATH: `${STAND_INS}:${process.env.PATH}`, STANDIN_KEYCLOAK_ROOT: root });
const env = { 'command-env': 'STANDIN_KEYCLOAK_ROOT' };

beforeAll(async () => {
  keys = await makeKeys();
  root = folder('lifeboat-stand-in-keycloak-');
  writeFileSync(join(root, 'argv.log'), '');
});

describe('preset: keycloak (stand-in kc.sh)', () => {
  it('exports every realm with its users, drills by importing into an empty database, and compares users, clients, groups and roles per realm', async () => {
    const store = folder();
    const source = database('keycloak', [realm('master', 1), realm('shop', 25)]);
    const made = await backupWith({ store, name: 'kc', preset: 'keycloak', 'source-url': source, ...env }, keys, context());
    expect(made.ok, made.failure).toBe(true);
    const { manifest, manifestText } = onlyBackup(store, 'kc');
    expect(manifest.source).toMatchObject({ kind: 'command', preset: 'keycloak', payloadFile: 'realms.tar', counted: true });
    expect(manifestText).not.toContain(PASSWORD);

    const target = database('drill', []);
    const ctx = context();
    const { outcome, record } = await drillWith({ store, name: 'kc', 'target-url': target, ...env }, keys, ctx);
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(record.checks.filter((c) => c.kind === 'command-count').map((c) => [c.name, c.actual]).sort()).toEqual([
      ['count of master.clients', 2],
      ['count of master.groups', 1],
      ['count of master.realm-roles', 3],
      ['count of master.users', 1],
      ['count of shop.clients', 2],
      ['count of shop.groups', 1],
      ['count of shop.realm-roles', 3],
      ['count of shop.users', 25],
    ]);
    // The restored realms are the source's, users and password hashes included.
    expect(realmsIn('drill')).toEqual(realmsIn('keycloak'));
    expect(JSON.stringify(record)).not.toContain(PASSWORD);

    const runs = readFileSync(join(root, 'argv.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(runs.filter((r) => r[0] === 'export').every((r) => r.includes('--users') && r[r.indexOf('--users') + 1] === 'realm_file')).toBe(true);
    expect(runs.some((r) => r[0] === 'import' && r.includes('--override'))).toBe(true);
    expect(runs.flat().join(' ')).not.toContain(PASSWORD);
  });

  it('a lossy import (one user short) fails the drill naming the realm\'s user count', async () => {
    const store = folder();
    const made = await backupWith({ store, name: 'kc', preset: 'keycloak', 'source-url': database('lossy-src', [realm('shop', 4)]), ...env }, keys, context());
    expect(made.ok, made.failure).toBe(true);
    const { outcome, record } = await drillWith({ store, name: 'kc', 'target-url': database('lossy', [], 'drop-a-user-on-import'), ...env }, keys, context());
    expect(outcome.ok).toBe(false);
    expect(record.verdict).toBe('fail');
    expect(record.checks.find((c) => c.name === 'count of shop.users')).toMatchObject({ expected: 4, actual: 3, ok: false });
  });

  it('a refused login or a URL that is not a database fails the backup, naming the cause, and writes no manifest', async () => {
    const store = folder();
    const wrong = database('refused', [realm('shop', 1)]).replace(PASSWORD, 'not-the-password');
    const refused = await backupWith({ store, name: 'kc', preset: 'keycloak', 'source-url': wrong, ...env }, keys, context());
    expect(refused.ok).toBe(false);
    expect(refused.failure).toContain('password authentication failed');
    expect(refused.failure).not.toContain('not-the-password');

    const http = await backupWith({ store, name: 'kc', preset: 'keycloak', 'source-url': 'https://sso.example.com/realms/shop', ...env }, keys, context());
    expect(http.ok).toBe(false);
    expect(http.failure).toContain("the source URL must be Keycloak's database");
    expect(backupsIn(store, 'kc').complete).toEqual([]);
  });
});
