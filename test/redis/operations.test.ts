/**
 * Redis through the operations an operator runs: `lifeboat backup --redis-url`, `lifeboat
 * drill` with a checks file of Redis checks, `lifeboat restore --target-redis-url`, and the
 * backup and restore-drill actions (from their sources) with Redis inputs. Real redis-server.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  backupOperation,
  drill,
  drillOperation,
  drillRecordSchema,
  generateKeyPair,
  objectSource,
  resolveOptions,
  restore,
  restoreOperation,
  type DrillRecord,
  type Manifest,
} from '@lifeboat/core';
import { runCli } from '../support/cli.js';
import { runBundledAction } from '../support/run-action.js';
import { requireRedisTools, startRedis, type RedisServer } from '../services/redis.js';
import { fillSample, keyName, type DbCounts } from './sample.js';
import { freshFolder, testContext } from './support.js';

requireRedisTools();

const PASSWORD = 'ops/pass@word:1';
let source: RedisServer;
let expected: Record<number, DbCounts>;
let encryptionKey: Awaited<ReturnType<typeof generateKeyPair>>;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>;
const folders: string[] = [];
const servers: RedisServer[] = [];

function folder(prefix?: string): string {
  const path = freshFolder(prefix);
  folders.push(path);
  return path;
}

/** The CLI's environment: secrets as env vars, as an operator would set them, never as flags. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...extra };
}

function onlyManifest(store: string, name: string): Manifest {
  const ids = readdirSync(join(store, name)).filter((e) => e !== 'drills');
  expect(ids).toHaveLength(1);
  return JSON.parse(readFileSync(join(store, name, ids[0]!, 'manifest.json'), 'utf8')) as Manifest;
}

const CHECKS = `
- name: a plain string is back
  command: GET ${keyName(0, 0)}
  expect: value 0
- name: the hash has its fields
  command: HLEN ${keyName(0, 3)}
  expect: = 3
- name: database 2 is whole
  command: DBSIZE
  db: 2
  expect: = 200
`;

beforeAll(async () => {
  [source, encryptionKey, signingKey] = await Promise.all([
    startRedis({ password: PASSWORD }),
    generateKeyPair({ name: 'Redis operations test' }),
    generateKeyPair({ name: 'Redis operations test signing', purpose: 'sign' }),
  ]);
  // 500, 300 and 200 keys of every type in databases 0, 1 and 2; every seventh with a TTL.
  expected = await fillSample(source, 0.01);
});
afterAll(async () => {
  await Promise.allSettled([source?.stop(), ...servers.map((s) => s.stop())]);
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

describe('lifeboat backup --redis-url, drill and restore --target-redis-url', () => {
  let store: string;

  it('backs up the server through the CLI, the URL with its password from LIFEBOAT_REDIS_URL', async () => {
    store = folder();
    const run = await runCli(['backup', '--store', store, '--name', 'cache'], cliEnv({
      LIFEBOAT_REDIS_URL: source.url(),
      LIFEBOAT_RECIPIENTS: encryptionKey.publicKey,
      LIFEBOAT_SIGNING_KEY: signingKey.privateKey,
    }));
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain(PASSWORD);
    expect(run.output).not.toContain(encodeURIComponent(PASSWORD));
    const manifest = onlyManifest(store, 'cache');
    expect(manifest.source).toMatchObject({ kind: 'redis', mode: 'rdb', pointInTime: true, payloadFormat: 'rdb', serverMajor: 7 });
    expect(JSON.stringify(manifest)).not.toContain(PASSWORD);
  });

  it('drills it into a throwaway redis-server: exact key counts, the checks file\'s Redis checks, evidence', async () => {
    const evidenceDir = folder('lifeboat-evidence-');
    const checks = join(evidenceDir, 'drill-checks.yml');
    writeFileSync(checks, CHECKS);
    const run = await runCli(['drill', '--store', store, '--name', 'cache', '--checks', checks, '--evidence-dir', evidenceDir], cliEnv({
      LIFEBOAT_IDENTITY: encryptionKey.privateKey,
      LIFEBOAT_SIGNING_PUBLIC_KEY: signingKey.publicKey,
    }));
    expect(run.code, run.output).toBe(0);
    const file = readdirSync(evidenceDir).find((f) => f.endsWith('.json'))!;
    const record = drillRecordSchema.parse(JSON.parse(readFileSync(join(evidenceDir, file), 'utf8')));
    expect(record.verdict).toBe('pass');
    expect(record.phases.map((p) => p.name)).toEqual(['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks']);
    expect(record.target).toMatch(/^throwaway redis-server 7\.\d+\.\d+ on 127\.0\.0\.1:\d+$/);
    for (const db of [0, 1, 2]) {
      const counts = expected[db]!;
      expect(record.checks.find((c) => c.name === `keys without expiry in db ${db}`)).toMatchObject({ ok: true, expected: counts.keys - counts.expires, actual: counts.keys - counts.expires });
    }
    expect(record.checks.find((c) => c.kind === 'redis-check-rdb')).toMatchObject({ ok: true });
    expect(record.checks.filter((c) => c.kind === 'redis-command').map((c) => [c.name, c.ok])).toEqual([
      ['a plain string is back', true],
      ['the hash has its fields', true],
      ['database 2 is whole', true],
    ]);
    expect(record.versions).toMatchObject({ 'source redis-server': expect.stringMatching(/^7\./), 'redis-server': expect.stringMatching(/^7\./) });
  });

  it('fails the drill naming the check when a Redis check does not hold, and calls a drill with SQL checks for a Redis backup inconclusive before downloading', async () => {
    const options = (checks: string) =>
      resolveOptions(drillOperation, objectSource({ store, name: 'cache', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'record-drill': 'false', 'evidence-dir': folder('lifeboat-evidence-'), checks }));
    const failing = await drill(options('- name: too many\n  command: DBSIZE\n  expect: "= 501"\n'), testContext());
    expect(failing.ok).toBe(false);
    expect(failing.failure).toContain('too many (expected = 501, got 500)');
    const sql = await drill(options('- sql: SELECT 1\n  expect: "= 1"\n'), testContext());
    expect(sql.ok).toBe(false);
    expect(sql.failure).toMatch(/^Drill inconclusive: Redis check check 1: command: /);
    expect((sql.data as DrillRecord).phases.map((p) => p.name)).toEqual(['select']);
  });

  it('restores into an empty server with the same keys, then refuses that server now that it holds keys', async () => {
    const target = await startRedis({ password: 'target pass 2' });
    servers.push(target);
    const env = cliEnv({ LIFEBOAT_IDENTITY: encryptionKey.privateKey, LIFEBOAT_SIGNING_PUBLIC_KEY: signingKey.publicKey, LIFEBOAT_TARGET_REDIS_URL: target.url() });
    const run = await runCli(['restore', '--store', store, '--name', 'cache'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Restored ${expected[0]!.keys + expected[1]!.keys + expected[2]!.keys} keys into`);
    expect(run.output).not.toContain('target pass 2');
    const client = await target.client();
    try {
      for (const db of [0, 1, 2]) {
        await client.select(db);
        expect(await client.dbSize()).toBe(expected[db]!.keys);
      }
      await client.select(0);
      expect(await client.get(keyName(0, 0))).toBe('value 0');
      expect(await client.hGetAll(keyName(0, 3))).toEqual({ name: 'user 3', email: 'user3@example.test', visits: '3' });
    } finally {
      await client.close();
    }

    // Refused while checking the target, before the backup is even selected.
    const context = testContext();
    const again = restore(resolveOptions(restoreOperation, objectSource({ store, name: 'cache', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'target-redis-url': target.url() })), context);
    await expect(again).rejects.toThrow(/already holds keys \(db 0: 500, db 1: 300, db 2: 200\)/);
    await expect(again).rejects.toMatchObject({ fix: expect.stringContaining('empty server') });
    expect(context.reporter.lines.map((l) => l.message).join('\n')).not.toContain('Restoring cache/');
  });

  it('asks for a restore target, and refuses a PostgreSQL source and a Redis source in one backup run', async () => {
    const noTarget = restore(resolveOptions(restoreOperation, objectSource({ store, name: 'cache', identity: encryptionKey.privateKey })), testContext());
    await expect(noTarget).rejects.toThrow('No restore target is set.');
    await expect(noTarget).rejects.toMatchObject({ fix: expect.stringContaining('`target-database-url` (PostgreSQL) or `target-redis-url` (Redis)') });
    const empty = folder();
    const both = backup(
      resolveOptions(backupOperation, objectSource({ store: empty, 'redis-url': source.url(), 'database-url': 'postgres://nobody@127.0.0.1:1/none', recipients: encryptionKey.publicKey })),
      testContext(),
    );
    await expect(both).rejects.toThrow('`database-url` and `redis-url` are both set');
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('the backup and restore-drill actions with Redis inputs', () => {
  it('backs up in keys mode from the `redis-url` input and drills it with inline Redis checks', async () => {
    const store = folder();
    const backup = await runBundledAction(
      'backup',
      { store, name: 'sessions', 'redis-url': source.url(), 'redis-mode': 'keys', recipients: encryptionKey.publicKey, 'signing-key': signingKey.privateKey },
      {},
      true,
    );
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    // The runner masks what add-mask names; nothing else may show the password.
    expect(backup.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n')).not.toContain(PASSWORD);
    expect(backup.outputs['backup-id']).toBeTruthy();
    expect(onlyManifest(store, 'sessions').source).toMatchObject({ kind: 'redis', mode: 'keys', pointInTime: false });

    const drill = await runBundledAction(
      'restore-drill',
      { store, name: 'sessions', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, checks: CHECKS },
      {},
      true,
    );
    expect(drill.code, drill.stdout + drill.stderr).toBe(0);
    expect(drill.outputs).toMatchObject({ verdict: 'pass', 'checks-failed': '0', 'backup-id': backup.outputs['backup-id'] });
    expect(drill.summary).toContain('database 2 is whole');
  });
});
