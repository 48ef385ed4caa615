/**
 * A stack drill's after-restore service on real servers: a PostgreSQL + Redis stack whose
 * drill starts a small Node service against the restored members (through the env it is
 * given) and asks it over HTTP; a failing answer, a service that dies at start, and that
 * none of the runner's secrets reach it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupOperation, backupStack, drillOperation, drillStack, generateKeyPair, objectSource, resolveOptions, withStackStore, type DrillRecord } from '@lifeboat/core';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { requireRedisTools, startRedis, type RedisServer } from '../services/redis.js';
import { freshFolder, testContext } from '../redis/support.js';

requireRedisTools();

const PASSPHRASE = 'after-restore test passphrase, long enough';
const IDENTITY = 'AGE-SECRET-KEY-1RUNNERSECRETNEVERFORTHESERVICE';
const SERVICE = join(import.meta.dirname, 'fixtures', 'shop-service.mjs');
let pg: PgServer;
let redis: RedisServer;
let signing: Awaited<ReturnType<typeof generateKeyPair>>;
let folder: string;
let env: Record<string, string>;

/** A port nothing listens on just now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The service as a list of words, or as a script whose shell stays its parent (so only a group kill stops it). */
const COMMAND = (shell: boolean) => (shell ? JSON.stringify(`true && ${JSON.stringify(process.execPath)} ${JSON.stringify(SERVICE)}`) : `[${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVICE)}]`);

const STACK = (port: number, serviceEnv: Record<string, string> = {}, shell = false) => `stack: shop
store: \${STACK_STORE}
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
      target-database-url: \${SCRATCH_DATABASE_URL}
  - name: cache
    engine: redis
    settings:
      redis-url: \${CACHE_REDIS_URL}
after-restore:
  command: ${COMMAND(shell)}
  env:
    DATABASE_URL: \${app.url}
    REDIS_URL: \${cache.url}
    PORT: ${port}
    REPORT_FILE: ${JSON.stringify(join(folder, 'service-report.json'))}
${Object.entries(serviceEnv).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}
  ready: {http: "http://127.0.0.1:${port}/healthz", timeout: 60s}
  checks:
    - name: the service is ready
      http: GET http://127.0.0.1:${port}/readyz
      expect-status: 200
      expect-body: '"ok"'
`;

beforeAll(async () => {
  [pg, redis, signing] = await Promise.all([startPostgres(), startRedis({ password: 'cache pass' }), generateKeyPair({ name: 'After-restore test signing', purpose: 'sign' })]);
  await pg.createDatabase('shop');
  await pg.query("CREATE TABLE sessions (id int PRIMARY KEY, username text); INSERT INTO sessions VALUES (1, 'alice'), (2, 'bob'), (3, 'carol')", [], 'shop');
  for (const [id, user] of [[1, 'alice'], [2, 'bob'], [3, 'carol']] as const) await redis.cli(['SET', `session:${id}`, user]);
  folder = freshFolder('lifeboat-after-restore-');
  env = { STACK_STORE: join(folder, 'store'), APP_DATABASE_URL: pg.url('shop'), SCRATCH_DATABASE_URL: pg.url('postgres'), CACHE_REDIS_URL: redis.url(), LIFEBOAT_IDENTITY: IDENTITY };
  writeFileSync(join(folder, 'lifeboat.yml'), STACK(1));
  const context = testContext(env);
  const options = resolveOptions(backupOperation, withStackStore(objectSource({ stack: join(folder, 'lifeboat.yml'), passphrase: PASSPHRASE, 'signing-key': signing.privateKey, 'create-store': 'true' }), context.env));
  const outcome = await backupStack(options, context);
  expect(outcome.failure).toBeUndefined();
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), redis?.stop()]);
});

async function drillWith(serviceEnv: Record<string, string> = {}, shell = false) {
  const port = await freePort();
  const file = join(folder, 'lifeboat.yml');
  writeFileSync(file, STACK(port, serviceEnv, shell));
  const context = testContext(env);
  const options = resolveOptions(drillOperation, withStackStore(objectSource({ stack: file, passphrase: PASSPHRASE, 'signing-public-key': signing.publicKey }), context.env));
  const outcome = await drillStack(options, context);
  const report = JSON.parse(readFileSync(join(folder, 'service-report.json'), 'utf8')) as { pid: number; cwd: string; tmpdir: string; keys: string[] };
  return { outcome, record: outcome.data as DrillRecord, report, port };
}

/** True while the process runs; an exited one waiting to be reaped (an orphan under a container's init) does not count. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

describe('drill --stack with after-restore', () => {
  it('starts the service against the restored members, asks it over HTTP, stops it, and passes', async () => {
    const { outcome, record, report, port } = await drillWith();
    expect(outcome.failure).toBeUndefined();
    expect(record.verdict).toBe('pass');
    expect(record.phases.map((p) => p.name).slice(-2)).toEqual(['after-restore', 'service checks']);
    const byName = new Map(record.checks.map((c) => [c.name, c]));
    expect(byName.get('after-restore: service ready')).toMatchObject({ ok: true, kind: 'service' });
    expect(byName.get('the service is ready')).toMatchObject({ ok: true, kind: 'http', actual: 'status 200', request: `GET http://127.0.0.1:${port}/readyz` });
    // It got the members' endpoints and the allow-listed environment, none of the runner's secrets.
    expect(report.keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PORT', 'PATH']));
    for (const secret of ['LIFEBOAT_IDENTITY', 'APP_DATABASE_URL', 'CACHE_REDIS_URL', 'SCRATCH_DATABASE_URL', 'STACK_STORE']) expect(report.keys).not.toContain(secret);
    // It ran in a private folder of its own, gone with the drill, and was stopped.
    expect(report.cwd).not.toBe(process.cwd());
    expect(report.tmpdir).toBe(report.cwd);
    expect(existsSync(report.cwd)).toBe(false);
    expect(alive(report.pid)).toBe(false);
    expect(JSON.stringify(record)).not.toContain(pg.password);
  });

  it('fails the verdict when the service answers 503, with the status and what it said; a service under sh -c is stopped whole', async () => {
    const { outcome, record, report, port } = await drillWith({ NEEDED_KEY: 'session:9' }, true);
    expect(record.verdict).toBe('fail');
    const check = record.checks.find((c) => c.name === 'the service is ready');
    expect(check).toMatchObject({ ok: false, actual: 'status 503' });
    expect(check?.message).toBe(`GET http://127.0.0.1:${port}/readyz answered 503, expected 200. Its body began: not ready: 3 sessions, session:9 is null`);
    expect(outcome.failure).toContain('answered 503');
    // The node process under the shell was stopped with its group.
    expect(alive(report.pid)).toBe(false);
    expect(record.notes).toContain(`after-restore: the service's output ended with: shop-service listening on ${port}`);
  });

  it('fails naming the command, its exit status and the end of its output when the service exits at start', async () => {
    const { outcome, record, report } = await drillWith({ FAIL_AT_START: 'no configuration' });
    expect(record.verdict).toBe('fail');
    expect(record.phases.at(-1)).toMatchObject({ name: 'after-restore', ok: false });
    expect(outcome.failure).toMatch(/after-restore failed: The after-restore service `\S+ \S+shop-service\.mjs` exited with status 3 before http:\/\/127\.0\.0\.1:\d+\/healthz answered\. Its output ended with: shop-service starting \/ cannot start: no configuration/);
    expect(existsSync(report.cwd)).toBe(false);
  });
});
