/**
 * `preset: mongodb` against stand-in `mongodump`, `mongorestore` and `mongosh` programs
 * (test/command/stand-in-mongo/, put first on PATH): no MongoDB server runs on these
 * machines. The stand-ins follow the real programs' documented command lines, so this checks
 * the preset's arguments, that the URL never reaches a command line, the streaming and exit
 * handling, the per-collection counts, and the refusal of a sharded cluster.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupsIn, backupWith, drillWith, folder, makeKeys, onlyBackup, testContext, type Keys } from './support.js';

const STAND_INS = join(import.meta.dirname, 'stand-in-mongo');
const PASSWORD = 'mongo-Secret-pw9';
let keys: Keys;
let root: string;

/** A stand-in server: a folder of collections, and its URL. */
function server(host: string, data: Record<string, Record<string, unknown[]>> = {}, markers: Record<string, string> = {}): string {
  const dir = join(root, host);
  rmSync(dir, { recursive: true, force: true });
  for (const [db, colls] of Object.entries(data)) {
    mkdirSync(join(dir, db), { recursive: true });
    for (const [c, docs] of Object.entries(colls)) writeFileSync(join(dir, db, `${c}.json`), JSON.stringify(docs));
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(markers)) writeFileSync(join(dir, name), text);
  return `mongodb://backup:${PASSWORD}@${host}:27017/?authSource=admin`;
}

const context = () => testContext({ PATH: `${STAND_INS}:${process.env.PATH}`, STANDIN_MONGO_ROOT: root });
const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ _id: i, v: `doc ${i}` }));

beforeAll(async () => {
  keys = await makeKeys();
  root = folder('lifeboat-stand-in-mongo-');
  writeFileSync(join(root, 'argv.log'), '');
});

describe('preset: mongodb (stand-in mongodump, mongorestore, mongosh)', () => {
  it('backs up with mongodump --archive --gzip, drills with mongorestore --drop and compares countDocuments per collection', async () => {
    const store = folder();
    const url = server('mongo-src', { shop: { orders: docs(120), customers: docs(7) }, crm: { leads: docs(3) } });
    const backup = await backupWith({ store, name: 'mongo', preset: 'mongodb', 'source-url': url, 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(backup.ok, backup.failure).toBe(true);
    const { manifest, manifestText } = onlyBackup(store, 'mongo');
    expect(manifest.source).toMatchObject({ kind: 'command', preset: 'mongodb', payloadFile: 'dump.archive.gz', counted: true });
    expect(manifestText).not.toContain(PASSWORD);

    const target = server('mongo-drill', { shop: { orders: docs(1) } });
    const { outcome, record } = await drillWith({ store, name: 'mongo', 'target-url': target, 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(outcome.ok, outcome.failure).toBe(true);
    expect(record.checks.filter((c) => c.kind === 'command-count').map((c) => [c.name, c.actual])).toEqual([
      ['count of crm.leads', 3],
      ['count of shop.customers', 7],
      ['count of shop.orders', 120],
    ]);
    expect(JSON.stringify(record)).not.toContain(PASSWORD);

    const runs = readFileSync(join(root, 'argv.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(runs.find((r) => r[0] === 'mongodump')).toEqual(['mongodump', '--config=/dev/stdin', '--archive', '--gzip']);
    expect(runs.find((r) => r[0] === 'mongorestore')).toEqual(['mongorestore', '--config=/dev/stdin', expect.stringMatching(/^--archive=\/\S+$/), '--gzip', '--drop']);
    expect(runs.filter((r) => r[0] === 'mongosh').map((r) => r.slice(0, 5))).toContainEqual(['mongosh', '--nodb', '--quiet', '--norc', '--eval']);
    // The connection string with its password is on no command line.
    for (const run of runs) expect(run.join(' ')).not.toContain(PASSWORD);
  });

  it('fails a mongodump that dies after half its archive, naming it and its stderr, with no manifest', async () => {
    const store = folder();
    const url = server('mongo-broken', { shop: { orders: docs(5000) } }, { 'fail-after-half': '' });
    const outcome = await backupWith({ store, name: 'mongo', preset: 'mongodb', 'source-url': url, 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/The backup command `printf .*mongodump --config=\/dev\/stdin --archive --gzip` exited with status 1\. Its stderr ended with: .*connection reset by peer/);
    expect(outcome.failure).not.toContain(PASSWORD);
    expect(backupsIn(store, 'mongo')).toEqual({ complete: [], partial: [] });
  });

  it('refuses a sharded cluster\'s mongos before dumping anything, and mongodb-oplog on a standalone server', async () => {
    const store = folder();
    const sharded = await backupWith({ store, name: 'mongo', preset: 'mongodb', 'source-url': server('mongos', { shop: { orders: docs(2) } }, { mongos: '' }), 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(sharded.failure).toMatch(/mongos router of a sharded cluster; mongodump cannot take a consistent backup.*Back up each shard's replica set/);
    const standalone = await backupWith({ store, name: 'mongo', preset: 'mongodb', 'mongodb-oplog': 'true', 'source-url': server('standalone', { a: { b: docs(1) } }), 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(standalone.failure).toMatch(/`mongodb-oplog` is set, but the server is not a member of a replica set/);
    expect(backupsIn(store, 'mongo').complete).toEqual([]);
  });

  it('takes --oplog on a replica set and replays it with --oplogReplay', async () => {
    const store = folder();
    writeFileSync(join(root, 'argv.log'), '');
    const url = server('rs0-member', { shop: { orders: docs(4) } }, { replset: 'rs0' });
    const backup = await backupWith({ store, name: 'mongo', preset: 'mongodb', 'mongodb-oplog': 'true', 'source-url': url, 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(backup.ok, backup.failure).toBe(true);
    expect(onlyBackup(store, 'mongo').manifest.source).toMatchObject({ oplog: true });
    const { outcome } = await drillWith({ store, name: 'mongo', 'target-url': server('rs-drill'), 'command-env': 'STANDIN_MONGO_ROOT' }, keys, context());
    expect(outcome.ok, outcome.failure).toBe(true);
    const runs = readFileSync(join(root, 'argv.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(runs.find((r) => r[0] === 'mongodump')).toContain('--oplog');
    expect(runs.find((r) => r[0] === 'mongorestore')).toContain('--oplogReplay');
  });
});
