/**
 * Stacks end to end on real servers: a PostgreSQL database and a Redis server backed up
 * together (`backup --stack`), drilled in their restore order with member checks and
 * cross-asset checks (`drill --stack`), a member failing, and snapshots too far apart.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupOperation,
  backupStack,
  gate,
  gateOperation,
  listCatalog,
  listOperation,
  prune,
  pruneOperation,
  drillOperation,
  drillStack,
  generateKeyPair,
  objectSource,
  parseStackFile,
  preflightOperation,
  preflightStack,
  resolveOptions,
  restoreOperation,
  restoreStack,
  runbookOperation,
  withStackStore,
  writeRunbook,
  type DrillRecord,
  type MemberEvidence,
  type StackRecord,
} from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { requireRedisTools, startRedis, type RedisServer } from '../services/redis.js';
import { freshFolder, testContext } from '../redis/support.js';
import { runCli } from '../support/cli.js';
import { runBundledAction } from '../support/run-action.js';
import { yamlBlocks } from '../docs/snippets.js';
import { ENGINES } from '../../packages/core/src/engines/registry.js';

requireRedisTools();

const PASSPHRASE = 'stack test passphrase, long enough';
let pg: PgServer;
let redis: RedisServer;
let signing: Awaited<ReturnType<typeof generateKeyPair>>;

const STACK = (maxSkew = '1m') => `# The shop: its database first, then the session cache.
stack: shop
store: \${STACK_STORE}
max-skew: ${maxSkew}
restore-order: [app, cache]
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
      target-database-url: \${SCRATCH_DATABASE_URL}
    checks:
      - {name: sessions are back, sql: "select count(*) from sessions", expect: ">= 3"}
    restore-settings:
      target-database-url: \${APP_RESTORE_URL}
  - name: cache
    engine: redis
    settings:
      redis-url: \${CACHE_REDIS_URL}
    checks:
      - {name: alice is cached, command: "GET session:1", expect: alice}
    restore-settings:
      target-redis-url: \${CACHE_RESTORE_URL}
checks:
  - name: every session is cached
    keys-from: {asset: app, sql: "select 'session:' || id from sessions order by id"}
    exist-in: cache
  - name: sampled sessions are cached
    keys-from: {asset: app, sql: "select 'session:' || id from sessions"}
    exist-in: cache
    sample: 2
  - name: no session without a user
    on: app
    sql: select id from sessions where username is null
    expect: no rows
`;

beforeAll(async () => {
  [pg, redis, signing] = await Promise.all([startPostgres(), startRedis({ password: 'cache pass' }), generateKeyPair({ name: 'Stack test signing', purpose: 'sign' })]);
  await pg.createDatabase('shop');
  await pg.query("CREATE TABLE sessions (id int PRIMARY KEY, username text); INSERT INTO sessions VALUES (1, 'alice'), (2, 'bob'), (3, 'carol')", [], 'shop');
  for (const [id, user] of [[1, 'alice'], [2, 'bob'], [3, 'carol']] as const) await redis.cli(['SET', `session:${id}`, user]);
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), redis?.stop()]);
});

/** A store folder with the stack file beside it, and the environment its references read. */
function setup(maxSkew?: string, env: Record<string, string> = {}) {
  const folder = freshFolder('lifeboat-stack-');
  const store = join(folder, 'store');
  const file = join(folder, 'lifeboat.yml');
  writeFileSync(file, STACK(maxSkew));
  const vars = {
    STACK_STORE: store,
    APP_DATABASE_URL: pg.url('shop'),
    SCRATCH_DATABASE_URL: pg.url('postgres'),
    CACHE_REDIS_URL: redis.url(),
    ...env,
  };
  return { folder, store, file, env: vars };
}

async function backupTheStack(s: ReturnType<typeof setup>, hooks = {}, env: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const context = testContext({ ...s.env, ...env });
  const options = resolveOptions(backupOperation, withStackStore(objectSource({ stack: s.file, passphrase: PASSPHRASE, 'signing-key': signing.privateKey, 'create-store': 'true', ...extra }), context.env));
  return backupStack(options, context, hooks);
}

async function drillTheStack(s: ReturnType<typeof setup>, extra: Record<string, string> = {}) {
  const context = testContext(s.env);
  const options = resolveOptions(
    drillOperation,
    withStackStore(objectSource({ stack: s.file, passphrase: PASSPHRASE, 'signing-public-key': signing.publicKey, 'evidence-dir': join(s.folder, 'evidence'), ...extra }), context.env),
  );
  const outcome = await drillStack(options, context);
  return { outcome, record: outcome.data as DrillRecord & { stack: { recordId: string; members: MemberEvidence[] } }, context };
}

function stackRecords(store: string): string[] {
  return readdirSync(join(store, 'shop', 'stacks')).sort();
}

describe('backup --stack', () => {
  it('backs up every member under <stack>-<asset> and writes the signed stack record last', async () => {
    const s = setup();
    const outcome = await backupTheStack(s);
    expect(outcome.failure).toBeUndefined();
    const files = stackRecords(s.store);
    expect(files).toEqual([`${outcome.outputs['backup-id']}.json`, `${outcome.outputs['backup-id']}.json.sig`]);
    const record = JSON.parse(readFileSync(join(s.store, 'shop', 'stacks', files[0]!), 'utf8')) as StackRecord;
    expect(record.members.map((m) => [m.asset, m.engine, m.name])).toEqual([
      ['app', 'postgres', 'shop-app'],
      ['cache', 'redis', 'shop-cache'],
    ]);
    for (const member of record.members) {
      expect(readdirSync(join(s.store, member.name))).toContain(member.backupId);
      expect(member.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(record.window.skewMs).toBe(Date.parse(record.window.last) - Date.parse(record.window.first));
    expect(record.restoreOrder).toEqual(['app', 'cache']);
    // No secret reaches the record.
    expect(readFileSync(join(s.store, 'shop', 'stacks', files[0]!), 'utf8')).not.toContain(pg.password);
  });

  it('writes no stack record when a member fails, and the next drill takes the previous complete stack', async () => {
    const s = setup();
    const good = await backupTheStack(s);
    expect(good.failure).toBeUndefined();
    const before = stackRecords(s.store);
    const failed = await backupTheStack(s, {}, { CACHE_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(failed.ok).toBe(false);
    expect(failed.failure).toMatch(/^Stack shop is incomplete: cache failed: .*No stack record was written/);
    expect(stackRecords(s.store)).toEqual(before);
    // The app member of the failed run is complete on its own, but is no part of a stack.
    expect(readdirSync(join(s.store, 'shop-app')).filter((e) => e !== 'drills')).toHaveLength(2);

    const { outcome, record } = await drillTheStack(s);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs['backup-id']).toBe(good.outputs['backup-id']);
    const previous = JSON.parse(readFileSync(join(s.store, 'shop', 'stacks', before[0]!), 'utf8')) as StackRecord;
    expect(record.stack.members.map((m) => m.backupId)).toEqual(previous.members.map((m) => m.backupId));
  });

  it('fails when the snapshots lie further apart than max-skew, naming both times, and writes no record', async () => {
    const s = setup('1s');
    const outcome = await backupTheStack(s, { beforeMember: async (asset: string) => asset === 'cache' && new Promise((r) => setTimeout(r, 1500)) });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/snapshots are \d+\.\d+s apart, more than max-skew 1\.00s: app at \d{4}-\d\d-\d\dT[\d:.]+Z, cache at \d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(readdirSync(join(s.store)).sort()).toEqual(['shop-app', 'shop-cache']);
  });

  it('applies keep rules to the stack records, and never deletes a member backup a kept stack record names', async () => {
    const s = setup();
    const keep = { 'keep-last': '1' };
    const first = await backupTheStack(s, {}, {}, keep);
    expect(first.failure).toBeUndefined();
    const [app1, cache1] = JSON.parse(String(first.outputs.backups)) as { name: string; id: string }[];
    // A failed run leaves a newer app backup; keep-last 1 alone would delete the one the stack record names.
    // Backup ids have second precision: each run starts in a second of its own, so "newest" is never a tie.
    const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
    await nextSecond();
    const failed = await backupTheStack(s, {}, { CACHE_REDIS_URL: 'redis://127.0.0.1:1' }, keep);
    expect(failed.ok).toBe(false);
    const backupsOf = (name: string) => readdirSync(join(s.store, name)).filter((e) => e !== 'drills').sort();
    expect(backupsOf('shop-app')).toHaveLength(2);
    expect(backupsOf('shop-app')).toContain(app1!.id);

    // The next complete stack backup replaces the first (never drilled): its record goes, and with it the pins on its members.
    await nextSecond();
    const second = await backupTheStack(s, {}, {}, keep);
    expect(second.failure).toBeUndefined();
    const [app2, cache2] = JSON.parse(String(second.outputs.backups)) as { name: string; id: string }[];
    expect(stackRecords(s.store)).toEqual([`${second.outputs['backup-id']}.json`, `${second.outputs['backup-id']}.json.sig`]);
    expect(backupsOf('shop-app')).toEqual([app2!.id]);
    expect(backupsOf('shop-cache')).toEqual([cache2!.id]);
    expect(cache1!.id).not.toBe(cache2!.id);
    const drilled = await drillTheStack(s);
    expect(drilled.outcome.failure).toBeUndefined();
    expect(drilled.outcome.outputs['backup-id']).toBe(second.outputs['backup-id']);
  });

  it('prune --stack prunes the stack records, then each member, keeping what the kept records name', async () => {
    const s = setup();
    const first = await backupTheStack(s);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await backupTheStack(s);
    expect(second.failure).toBeUndefined();
    const pruneTheStack = (values: Record<string, string>) => {
      const context = testContext(s.env);
      return prune(resolveOptions(pruneOperation, withStackStore(objectSource({ stack: s.file, ...values }), context.env)), context);
    };
    const dry = await pruneTheStack({ 'keep-last': '1', 'dry-run': 'true' });
    expect(dry.outputs).toMatchObject({ deleted: 2 });
    expect(stackRecords(s.store)).toHaveLength(4);
    const outcome = await pruneTheStack({ 'keep-last': '1' });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ deleted: 2 });
    expect(stackRecords(s.store)).toEqual([`${second.outputs['backup-id']}.json`, `${second.outputs['backup-id']}.json.sig`]);
    const kept = (JSON.parse(String(second.outputs.backups)) as { name: string; id: string }[]).map((m) => readdirSync(join(s.store, m.name)).filter((e) => e !== 'drills'));
    expect(kept).toEqual((JSON.parse(String(second.outputs.backups)) as { id: string }[]).map((m) => [m.id]));
    expect(first.outputs['backup-id']).not.toBe(second.outputs['backup-id']);
  });

  it('with preflight (the backup action\'s `preflight: true`), runs every member\'s checks and backs nothing up, failing naming the member', async () => {
    const s = setup();
    const preflightTheStack = (env: Record<string, string> = {}) => {
      const context = testContext({ ...s.env, ...env });
      const options = resolveOptions(backupOperation, withStackStore(objectSource({ stack: s.file, passphrase: PASSPHRASE, 'signing-key': signing.privateKey, 'create-store': 'true' }), context.env));
      return backupStack({ ...options, preflight: true }, context);
    };
    const passed = await preflightTheStack();
    expect(passed.failure).toBeUndefined();
    expect(passed.outputs.passed).toBe(true);
    // Nothing listens there: the database member's source check fails, the cache's passes.
    const failed = await preflightTheStack({ APP_DATABASE_URL: 'postgres://lifeboat@127.0.0.1:1/shop' });
    expect(failed.ok).toBe(false);
    expect(failed.failure).toMatch(/^Preflight of stack shop failed: app: source/);
    expect(failed.failure).not.toContain('cache:');
    expect(existsSync(join(s.store, 'shop'))).toBe(false);
    expect(existsSync(join(s.store, 'shop-app'))).toBe(false);
  });

  it('lifeboat preflight --stack checks the file, its references and the store once, then every member; reads and writes nothing', async () => {
    const s = setup();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...s.env,
      LIFEBOAT_PASSPHRASE: PASSPHRASE,
      LIFEBOAT_SIGNING_KEY: signing.privateKey,
    };
    const passed = await runCli(['preflight', '--stack', s.file, '--create-store', 'true'], env);
    expect(passed.code, passed.output).toBe(0);
    expect(passed.output).toContain('Lifeboat preflight: stack shop');
    expect(passed.output).toMatch(/\| references \| PASS \| Set: STACK_STORE, APP_DATABASE_URL, SCRATCH_DATABASE_URL, CACHE_REDIS_URL/);
    expect(passed.output).toContain('Lifeboat preflight: stack shop: app (postgres)');
    expect(passed.output).toMatch(/\| source \| PASS \| redis:\/\/127\.0\.0\.1:\d+ answers: Redis \d/);
    // The store is probed once, for all members.
    expect(passed.output.match(/\| store \|/g)).toHaveLength(1);

    // The cache is unreachable: the run fails naming the member, the check and the fix.
    const down = await runCli(['preflight', '--stack', s.file, '--create-store', 'true'], { ...env, CACHE_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).not.toBe(0);
    expect(down.output).toMatch(/Preflight of stack shop failed: cache: source \(Nothing accepts connections at \*\*\* \(connection refused\)\. Check the host and port/);
    expect(down.output).not.toMatch(/failed: .*app: /);

    // A referenced variable is missing: named with the setting that uses it, and how to set it.
    const { CACHE_REDIS_URL: _unset, ...partial } = env;
    const missing = await runCli(['preflight', '--stack', s.file, '--create-store', 'true'], partial);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/Preflight of stack shop failed: stack: references \(.*lifeboat\.yml references \$\{CACHE_REDIS_URL\} \(asset `cache` setting `redis-url`\), not set in the environment\. Set CACHE_REDIS_URL/);
    expect(missing.output).toContain('cache: settings (');
    for (const run of [passed, down, missing]) {
      expect(run.output).not.toContain(pg.password);
      expect(run.output).not.toContain('cache pass');
    }
    // Nothing was backed up, and the store was never created.
    expect(existsSync(s.store)).toBe(false);
  });

  it('preflight --stack refuses an invalid stack file, naming its line, and checks no member', async () => {
    const s = setup();
    writeFileSync(s.file, STACK().replace('engine: redis', 'engine: redis\n    colour: blue'));
    const context = testContext(s.env);
    const options = resolveOptions(preflightOperation, objectSource({ stack: s.file, store: s.store, passphrase: PASSPHRASE }));
    const outcome = await preflightStack(options, context);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/^Preflight of stack .* failed: stack: stack file \(.*lifeboat\.yml, line \d+/);
    expect(outcome.failure).toContain('stack: references (Needs a valid stack file.)');
    expect(existsSync(s.store)).toBe(false);
  });

  it('refuses a stack file that sets a member secret inline, naming the line, before anything is backed up', async () => {
    const s = setup();
    writeFileSync(s.file, STACK().replace('${CACHE_REDIS_URL}', 'redis://:cache%20pass@127.0.0.1:6379'));
    await expect(backupTheStack(s)).rejects.toThrow(/lifeboat\.yml, line 19: asset `cache`: `redis-url` is a secret, so the stack file holds only a reference to it/);
  });
});

describe('drill --stack', () => {
  it('restores the members in order, runs their checks and the cross-asset checks, and passes', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    const { outcome, record } = await drillTheStack(s);
    expect(outcome.failure).toBeUndefined();
    expect(record.verdict).toBe('pass');
    const phases = record.phases.map((p) => p.name);
    expect(phases[0]).toBe('select stack');
    expect(phases.indexOf('app: restore')).toBeLessThan(phases.indexOf('cache: select'));
    expect(phases.at(-1)).toBe('cross-asset checks');
    const [app, cache] = record.stack.members;
    expect([app!.asset, cache!.asset]).toEqual(['app', 'cache']);
    // The timestamps show the order: the cache is restored after the database is done.
    expect(Date.parse(app!.finishedAt!)).toBeLessThanOrEqual(Date.parse(cache!.startedAt));
    const byName = new Map(record.checks.map((c) => [c.name, c]));
    expect(byName.get('app: sessions are back')?.ok).toBe(true);
    expect(byName.get('cache: alice is cached')?.ok).toBe(true);
    expect(byName.get('every session is cached')).toMatchObject({ ok: true, actual: '3 present' });
    expect(byName.get('sampled sessions are cached')).toMatchObject({ ok: true, actual: '2 sampled of 3 present' });
    expect(byName.get('no session without a user')?.ok).toBe(true);
    // Stack RPO: the oldest member's snapshot; RTO: the whole ordered restore.
    expect(record.rpoMs).toBeGreaterThan(0);
    expect(record.rtoMs).toBeGreaterThan(0);
    expect(outcome.outputs['rpo-seconds']).toBeDefined();
    // The evidence is stored under the stack's name, and holds no secret.
    expect(readdirSync(join(s.store, 'shop', 'drills'))).toContain(`${record.id}.json`);
    const stored = readFileSync(join(s.store, 'shop', 'drills', `${record.id}.json`), 'utf8');
    expect(stored).not.toContain(pg.password);
    expect(stored).not.toContain('cache pass');
  });

  it('refuses a stack record altered after it was signed', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    const [file] = stackRecords(s.store);
    const path = join(s.store, 'shop', 'stacks', file!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"restoreOrder": [\n    "app",\n    "cache"\n  ]', '"restoreOrder": [\n    "cache",\n    "app"\n  ]'));
    const { outcome, record } = await drillTheStack(s);
    expect(record.verdict).toBe('fail');
    expect(outcome.failure).toMatch(/select stack failed: .*signature/i);
    expect(record.phases.map((p) => p.name)).toEqual(['select stack']);
  });

  it('records how far a member\'s origin was proven when it then fails to decrypt', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    const { outcome, record } = await drillTheStack(s, { passphrase: 'not the stack passphrase' });
    expect(record.verdict).not.toBe('pass');
    expect(outcome.failure).toMatch(/app: decrypt failed/);
    const [app] = record.stack.members;
    expect(app).toMatchObject({ asset: 'app', authenticity: { verified: true, signedBy: signing.fingerprint, encrypted: true } });
  });

  it('fails when a key of the database is missing in the cache, naming it', async () => {
    const s = setup();
    await pg.query("INSERT INTO sessions VALUES (4, 'dave')", [], 'shop');
    try {
      expect((await backupTheStack(s)).failure).toBeUndefined();
      const { outcome, record } = await drillTheStack(s);
      expect(record.verdict).toBe('fail');
      const check = record.checks.find((c) => c.name === 'every session is cached');
      expect(check).toMatchObject({ ok: false, actual: '1 of 4 missing' });
      expect(check?.message).toBe('1 key of app missing in cache: `session:4`');
      expect(outcome.failure).toContain('session:4');
    } finally {
      await pg.query('DELETE FROM sessions WHERE id = 4', [], 'shop');
    }
  });
});

describe('list --stack and gate --stack', () => {
  const listTheStack = async (s: ReturnType<typeof setup>) => {
    const context = testContext(s.env);
    return listCatalog(resolveOptions(listOperation, withStackStore(objectSource({ stack: s.file }), context.env)), context);
  };
  const gateTheStack = async (s: ReturnType<typeof setup>, values: Record<string, string> = {}) => {
    const context = testContext(s.env);
    return gate(resolveOptions(gateOperation, withStackStore(objectSource({ stack: s.file, ...values }), context.env)), context);
  };

  it('lists the stack backups, complete only while every member backup is there as recorded', async () => {
    const s = setup();
    const first = await backupTheStack(s);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await backupTheStack(s);
    expect(second.failure).toBeUndefined();
    const [app] = JSON.parse(String(first.outputs.backups)) as { name: string; id: string }[];
    // An operator deletes a member backup by hand: the first stack backup can no longer be restored whole.
    rmSync(join(s.store, 'shop-app', app!.id), { recursive: true });
    const listed = await listTheStack(s);
    expect(listed.outputs).toMatchObject({ names: 'shop', complete: 1, incomplete: 1, 'newest-backup-id': second.outputs['backup-id'] });
    const views = (listed.data as { backups: { id: string; state: string; problems: string[]; members: { asset: string }[] }[] }).backups;
    expect(views.map((v) => [v.id, v.state])).toEqual([
      [second.outputs['backup-id'], 'complete'],
      [first.outputs['backup-id'], 'incomplete'],
    ]);
    expect(views[1]!.problems).toEqual([`app: backup shop-app/${app!.id} is gone`]);
    expect(views[0]!.members.map((m) => m.asset)).toEqual(['app', 'cache']);
  });

  it('gates on the newest complete stack backup and the newest conclusive stack drill, trusting only signed drill records when told to', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    const undrilled = await gateTheStack(s);
    expect(undrilled.ok).toBe(false);
    expect(undrilled.failure).toContain('No restore drill has run for `shop`');

    // A drill whose record is signed with the drill's key.
    const drillContext = testContext(s.env);
    const drilled = await drillStack(
      resolveOptions(drillOperation, withStackStore(objectSource({ stack: s.file, passphrase: PASSPHRASE, 'signing-public-key': signing.publicKey, 'signing-key': signing.privateKey, 'evidence-dir': join(s.folder, 'evidence') }), drillContext.env)),
      drillContext,
    );
    expect(drilled.failure).toBeUndefined();
    const passed = await gateTheStack(s, { 'signing-public-key': signing.publicKey });
    expect(passed.failure).toBeUndefined();
    expect(passed.outputs).toMatchObject({ verdict: 'pass', 'backup-id': drilled.outputs['backup-id'] });

    // A drill record another key signed is not trusted: the gate stays red.
    const other = await generateKeyPair({ name: 'Someone else', purpose: 'sign' });
    const untrusted = await gateTheStack(s, { 'signing-public-key': other.publicKey });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.failure).toMatch(/its signature does not verify.*No restore drill has run for `shop`/);

    // Too old for max-backup-age: the stack backup is stale.
    await new Promise((r) => setTimeout(r, 1100));
    const staleAfter = await gateTheStack(s, { 'signing-public-key': signing.publicKey, 'max-backup-age': '1s' });
    expect(staleAfter.ok).toBe(false);
    expect(staleAfter.failure).toMatch(/The newest backup \(\S+\) is [\d.]+s old \(max 1s\)/);

    // A member backup gone: the stack backup no longer counts.
    const record = JSON.parse(readFileSync(join(s.store, 'shop', 'stacks', stackRecords(s.store)[0]!), 'utf8')) as StackRecord;
    rmSync(join(s.store, 'shop-cache', record.members[1]!.backupId), { recursive: true });
    const incomplete = await gateTheStack(s, { 'signing-public-key': signing.publicKey });
    expect(incomplete.ok).toBe(false);
    expect(incomplete.failure).toContain('There is no complete backup of `shop`');
  });
});

describe('the CLI', () => {
  it('backs up and drills a stack from the stack file alone, secrets from the environment', async () => {
    const s = setup();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...s.env,
      LIFEBOAT_PASSPHRASE: PASSPHRASE,
      LIFEBOAT_SIGNING_KEY: signing.privateKey,
      LIFEBOAT_SIGNING_PUBLIC_KEY: signing.publicKey,
    };
    const backedUp = await runCli(['backup', '--stack', s.file, '--create-store', 'true'], env);
    expect(backedUp.output).toContain('Lifeboat stack backup: shop');
    expect(backedUp.code).toBe(0);
    const drilled = await runCli(['drill', '--stack', s.file, '--evidence-dir', join(s.folder, 'evidence'), '--json'], env);
    expect(drilled.code).toBe(0);
    expect(drilled.output).toContain('"verdict": "pass"');
    const gated = await runCli(['gate', '--stack', s.file], env);
    expect(gated.output).toContain('Gate passed for stack `shop`');
    expect(gated.code).toBe(0);
    const listed = await runCli(['list', '--stack', s.file], env);
    expect(listed.output).toContain('Stack backups: `shop`');
    expect(listed.code).toBe(0);
    for (const output of [backedUp.output, drilled.output, gated.output, listed.output]) {
      expect(output).not.toContain(pg.password);
      expect(output).not.toContain('cache pass');
    }
  });
});

describe('the actions', () => {
  it('backup, restore-drill and backup-gate take `stack`, the store coming from the stack file', async () => {
    const s = setup();
    const keys = { passphrase: PASSPHRASE };
    const backedUp = await runBundledAction('backup', { stack: s.file, 'create-store': 'true', 'signing-key': signing.privateKey, ...keys }, s.env, true);
    expect(backedUp.code, backedUp.stdout).toBe(0);
    expect(backedUp.summary).toContain('Lifeboat stack backup: shop');
    expect(backedUp.outputs['backup-id']).toBe(stackRecords(s.store)[0]!.replace('.json', ''));
    const drilled = await runBundledAction('restore-drill', { stack: s.file, 'signing-public-key': signing.publicKey, 'signing-key': signing.privateKey, ...keys }, s.env, true);
    expect(drilled.code, drilled.stdout).toBe(0);
    expect(drilled.outputs).toMatchObject({ verdict: 'pass', 'backup-id': backedUp.outputs['backup-id'] });
    const gated = await runBundledAction('backup-gate', { stack: s.file, 'signing-public-key': signing.publicKey }, s.env, true);
    expect(gated.code, gated.stdout).toBe(0);
    expect(gated.outputs).toMatchObject({ verdict: 'pass', 'backup-id': backedUp.outputs['backup-id'] });
    for (const run of [backedUp, drilled, gated]) {
      const visible = (run.stdout + run.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      expect(visible).not.toContain(pg.password);
      expect(visible).not.toContain(PASSPHRASE);
    }
  });
});

describe('docs/stacks.md', () => {
  it('shows stack files the parser accepts', () => {
    const root = join(import.meta.dirname, '..', '..');
    const stacks = yamlBlocks('docs/stacks.md', readFileSync(join(root, 'docs', 'stacks.md'), 'utf8')).filter((b) => /^stack:/m.test(b.text));
    expect(stacks).toHaveLength(2);
    for (const snippet of stacks) expect(() => parseStackFile(snippet.text, snippet.where, ENGINES)).not.toThrow();
    const stack = parseStackFile(stacks[0]!.text, stacks[0]!.where, ENGINES);
    expect(stack.assets.map((a) => a.backupName)).toEqual(['shop-app', 'shop-cache']);
    expect(stack.checks.map((c) => c.type)).toEqual(['keys', 'on']);
    expect(stack.afterRestore?.checks.map((c) => c.url)).toEqual(['http://127.0.0.1:8080/readyz']);
  });
});

describe('runbook --stack', () => {
  it('writes the order, each member\'s by-hand restore with its backup filled in, and the checks', async () => {
    const s = setup();
    const backedUp = await backupTheStack(s);
    expect(backedUp.failure).toBeUndefined();
    const members = JSON.parse(String(backedUp.outputs.backups)) as { asset: string; name: string; id: string }[];
    const context = testContext(s.env);
    const output = join(s.folder, 'RUNBOOK.md');
    const options = resolveOptions(runbookOperation, withStackStore(objectSource({ stack: s.file, 'signing-public-key': signing.publicKey, output }), context.env));
    const outcome = await writeRunbook(options, context);
    expect(outcome.outputs['backup-id']).toBe(backedUp.outputs['backup-id']);
    const runbook = readFileSync(output, 'utf8');
    const [app, cache] = members;
    expect(runbook).toContain(`1. **app** (PostgreSQL): backup \`shop-app/${app!.id}\``);
    expect(runbook).toContain(`2. **cache** (Redis): backup \`shop-cache/${cache!.id}\``);
    expect(runbook.indexOf('## 1. app')).toBeLessThan(runbook.indexOf('## 2. cache'));
    // The Redis engine's break-glass steps, with this member's name and backup id.
    expect(runbook).toContain('### Restore a Redis backup by hand');
    expect(runbook).toMatch(new RegExp(`^NAME=shop-cache\\s`, 'm'));
    expect(runbook).toMatch(new RegExp(`^ID=${cache!.id}\\s`, 'm'));
    expect(runbook).toContain('### Restore a PostgreSQL backup by hand');
    expect(runbook).toMatch(new RegExp(`^NAME=shop-app\\s`, 'm'));
    // A folder store: the steps read it where it is, with cp.
    expect(runbook).toMatch(new RegExp(`^STORE=${s.store.replace(/[.*+?^$\{\}()|[\]\\/]/g, '\\$&')}\\s`, 'm'));
    expect(runbook).not.toMatch(/^aws s3 cp/m);
    expect(runbook).toContain('- alice is cached: `GET session:1` gives alice');
    expect(runbook).toContain("- every session is cached: every key `select 'session:' || id from sessions order by id` returns on app exists in cache");
    expect(runbook).not.toContain(pg.password);
  });
});

describe('restore --stack', () => {
  async function restoreTheStack(s: ReturnType<typeof setup>, env: Record<string, string>) {
    const context = testContext({ ...s.env, ...env });
    const options = resolveOptions(restoreOperation, withStackStore(objectSource({ stack: s.file, passphrase: PASSPHRASE, 'signing-public-key': signing.publicKey }), context.env));
    return restoreStack(options, context);
  }

  it('restores every member in order into the targets restore-settings name', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    await pg.createDatabase('shop_restored');
    const target = await startRedis();
    try {
      const outcome = await restoreTheStack(s, { APP_RESTORE_URL: pg.url('shop_restored'), CACHE_RESTORE_URL: target.url() });
      expect(outcome.failure).toBeUndefined();
      expect(outcome.data).toMatchObject({ restored: ['app', 'cache'], remaining: [] });
      expect(await pg.query('SELECT username FROM sessions ORDER BY id', [], 'shop_restored')).toEqual([{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }]);
      expect(await target.cli(['GET', 'session:2'])).toContain('bob');
    } finally {
      await target.stop();
    }
  });

  it('stops at the first member that fails, saying what was restored and what remains', async () => {
    const s = setup();
    expect((await backupTheStack(s)).failure).toBeUndefined();
    await pg.createDatabase('shop_restored_again');
    // The source server is no empty target: the cache's restore is refused.
    const outcome = await restoreTheStack(s, { APP_RESTORE_URL: pg.url('shop_restored_again'), CACHE_RESTORE_URL: redis.url() });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/^Stack restore of shop\/\S+ stopped at cache: .*Restored: app\. Not restored: cache\.$/);
    expect(await pg.query('SELECT count(*)::int AS n FROM sessions', [], 'shop_restored_again')).toEqual([{ n: 3 }]);
  });
});
