/**
 * The generated runbook run as written: a PostgreSQL + Redis + files stack backed up into a
 * folder store, `lifeboat runbook --stack` written, and every shell block of it run with bash
 * in an empty GnuPG home, only the desk's own lines (key files, targets) set. The restored
 * rows, keys and files must be the ones backed up.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupOperation, backupStack, generateKeyPair, objectSource, resolveOptions, runbookOperation, withStackStore, writeRunbook } from '@lifeboat/core';
import { breakGlass as postgresBreakGlass } from '../../packages/core/src/engines/postgres/break-glass.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';
import { SAMPLE_FILES, SAMPLE_PATHS, writeSample } from '../files/sample.js';
import { machineClientBinDir } from '../postgres/sample.js';
import { testContext } from '../redis/support.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { requireRedisTools, startRedis, type RedisServer } from '../services/redis.js';
import { tempFolder } from '../support/temp-folders.js';

requireRedisTools();
const run = promisify(execFile);

let pg: PgServer;
let redis: RedisServer;
let gpg: GpgHome;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
const homes: GpgHome[] = [];
const started: string[] = [];

const STACK = `stack: shop
store: \${STACK_STORE}
restore-order: [app, cache, config]
assets:
  - name: app
    engine: postgres
    settings:
      database-url: \${APP_DATABASE_URL}
  - name: cache
    engine: redis
    settings:
      redis-url: \${CACHE_REDIS_URL}
  - name: config
    engine: files
    settings:
      paths: "${SAMPLE_PATHS}"
      files-root: \${CONFIG_ROOT}
checks:
  - name: every session is cached
    keys-from: {asset: app, sql: "select 'session:' || id from sessions"}
    exist-in: cache
`;

beforeAll(async () => {
  // An unprotected encryption key, as an operator's own keyring would ask for its passphrase interactively.
  [pg, redis, gpg, signer] = await Promise.all([startPostgres(), startRedis(), createGpgHome({ passphrase: '' }), generateKeyPair({ name: 'Stack runbook signing', purpose: 'sign' })]);
  await pg.createDatabase('shop');
  await pg.query("CREATE TABLE sessions (id int PRIMARY KEY, username text); INSERT INTO sessions VALUES (1, 'alice'), (2, 'bob'), (3, 'carol')", [], 'shop');
  for (const [id, user] of [[1, 'alice'], [2, 'bob'], [3, 'carol']] as const) await redis.cli(['SET', `session:${id}`, user]);
});
afterAll(async () => {
  for (const pidFile of started) {
    if (!existsSync(pidFile)) continue;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await Promise.allSettled([pg?.stop(), redis?.stop(), gpg?.cleanup(), ...homes.map((h) => h.cleanup())]);
});

/** The runbook's shell blocks, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Sets the desk's own lines (`NAME=...`), which the runbook leaves to the operator. */
function forDesk(block: string, settings: Record<string, string>): string {
  let out = block;
  for (const [name, value] of Object.entries(settings)) {
    const pattern = new RegExp(`^${name}=\\S*`, 'm');
    expect(out, `the steps set ${name}`).toMatch(pattern);
    out = out.replace(pattern, `${name}='${value}'`);
  }
  return out;
}

describe('runbook --stack, run as written', () => {
  it('restores the database rows, the Redis keys and the files of the stack backup with gpg, pg_restore, redis-server and tar', async () => {
    const folder = tempFolder('lifeboat-stack-runbook-');
    const store = join(folder, 'store');
    const root = join(folder, 'config');
    writeSample(root);
    const file = join(folder, 'lifeboat.yml');
    writeFileSync(file, STACK);
    const env = { STACK_STORE: store, APP_DATABASE_URL: pg.url('shop'), CACHE_REDIS_URL: redis.url(), CONFIG_ROOT: root };
    const context = testContext(env);
    const backedUp = await backupStack(
      resolveOptions(backupOperation, withStackStore(objectSource({ stack: file, recipients: gpg.publicKeyArmored, 'signing-key': signer.privateKey, 'create-store': 'true' }), env)),
      context,
    );
    expect(backedUp.failure).toBeUndefined();
    const members = JSON.parse(String(backedUp.outputs.backups)) as { asset: string; name: string; id: string }[];

    const output = join(folder, 'RUNBOOK.md');
    await writeRunbook(resolveOptions(runbookOperation, withStackStore(objectSource({ stack: file, 'signing-public-key': signer.publicKey, output }), env)), testContext(env));
    const runbook = readFileSync(output, 'utf8');
    const blocks = shellBlocks(runbook);
    expect(blocks).toHaveLength(3);
    // Store, name and id come filled in, and a folder store is read with cp.
    blocks.forEach((block, i) => {
      expect(block).toMatch(new RegExp(`^STORE=${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s`, 'm'));
      expect(block).toMatch(new RegExp(`^NAME=${members[i]!.name}\\s`, 'm'));
      expect(block).toMatch(new RegExp(`^ID=${members[i]!.id}\\s`, 'm'));
      expect(block).not.toContain('aws s3 cp');
    });

    // The operator's desk: the two key files and an empty GnuPG home.
    const work = tempFolder('lifeboat-stack-desk-');
    writeFileSync(join(work, 'signing.pub.asc'), signer.publicKey);
    writeFileSync(join(work, 'identity.asc'), gpg.secretKeyArmored, { mode: 0o600 });
    const home = await createGpgHome({ generateKey: false });
    homes.push(home);
    await pg.createDatabase('shop_restored');
    const port = await freeLoopbackPort();
    const keys = { SIGNING_PUBLIC_KEY: 'signing.pub.asc', IDENTITY: 'identity.asc' };
    const desk = [
      { ...keys, TARGET: pg.url('shop_restored') },
      { ...keys, DATA: join(work, 'redis-data'), PORT: String(port) },
      { ...keys, TARGET: join(work, 'config-restored') },
    ];
    started.push(join(work, 'redis-restored.pid'));
    const outputs: string[] = [];
    for (const [i, block] of blocks.entries()) {
      const result = await run('bash', ['-euo', 'pipefail', '-c', forDesk(block, desk[i]!)], {
        cwd: work,
        env: { ...process.env, GNUPGHOME: home.home, PATH: `${machineClientBinDir()}:${process.env.PATH}` },
        timeout: 120_000,
      });
      outputs.push(result.stdout + result.stderr);
    }
    for (const out of outputs) expect(out).toMatch(/Good signature from "Stack runbook signing/);
    expect(outputs[0]).toContain('db.pgdump.zst.pgp: OK');
    expect(outputs[1]).toContain('dump.rdb.pgp: OK');

    expect(await pg.query('SELECT id, username FROM sessions ORDER BY id', [], 'shop_restored')).toEqual([
      { id: 1, username: 'alice' },
      { id: 2, username: 'bob' },
      { id: 3, username: 'carol' },
    ]);
    const { stdout: alice } = await run('redis-cli', ['-p', String(port), 'GET', 'session:1']);
    expect(alice.trim()).toBe('alice');
    const { stdout: count } = await run('redis-cli', ['-p', String(port), 'DBSIZE']);
    expect(count.trim()).toBe('3');
    await run('redis-cli', ['-p', String(port), 'SHUTDOWN', 'NOSAVE']).catch(() => undefined);
    const restored = join(work, 'config-restored');
    for (const [name, text] of Object.entries(SAMPLE_FILES)) expect(readFileSync(join(restored, name), 'utf8')).toBe(text);
    expect(lstatSync(join(restored, 'deploy/start.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(restored, 'deploy/current.conf'))).toBe('nginx/site.conf');
  });
});

describe('docs/break-glass.md', () => {
  it('shows the PostgreSQL steps exactly as the runbook generates them', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'break-glass.md'), 'utf8');
    const block = (name: string) => new RegExp(`<!-- ${name} -->\n\`\`\`sh\n([\\s\\S]*?)\`\`\``).exec(docs)?.[1];
    // The default (compression auto: a zstd frame around the archive), then an archive compressed inside pg_dump.
    expect(block('break-glass')).toBeDefined();
    expect(shellBlocks(postgresBreakGlass({ kind: 'postgres', dumpFormat: 'custom', streamCompression: 'zstd' }))).toEqual([block('break-glass')]);
    expect(shellBlocks(postgresBreakGlass({ kind: 'postgres', dumpFormat: 'custom' }))).toEqual([block('break-glass-archive')]);
  });
});
