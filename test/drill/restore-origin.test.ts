/** `lifeboat restore` proves a backup's origin as a drill does, before anything reaches the target. */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, generateKeyPair, objectSource, resolveOptions, restore, restoreOperation, SignatureError } from '@lifeboat/core';
import { backupOptions, freshFolder, testContext } from '../backup/support.js';
import { createSample } from '../postgres/sample.js';
import { startPostgres, type PgServer } from '../services/postgres.js';

const PASSPHRASE = 'restore origin passphrase 1234';
let pg: PgServer;
let signing: Awaited<ReturnType<typeof generateKeyPair>>;
let signed: string;
let unsigned: string;
let databases = 0;

beforeAll(async () => {
  [pg, signing] = await Promise.all([startPostgres(), generateKeyPair({ name: 'Restore signing', purpose: 'sign' })]);
  await createSample(pg, 'app');
  signed = freshFolder();
  unsigned = freshFolder();
  const one = await backup(backupOptions({ 'database-url': pg.url('app'), store: signed, passphrase: PASSPHRASE, 'signing-key': signing.privateKey }), testContext());
  const context = testContext();
  const two = await backup(backupOptions({ 'database-url': pg.url('app'), store: unsigned, passphrase: PASSPHRASE }), context);
  expect([one.failure, two.failure]).toEqual([undefined, undefined]);
  expect(context.reporter.text()).toContain('No `signing-key` is set: this backup is NOT SIGNED');
  expect(context.reporter.summaries.join('\n')).toContain('**Not signed:**');
});
afterAll(async () => {
  await pg?.stop();
  for (const store of [signed, unsigned]) if (store) rmSync(store, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const name = `restored_${++databases}`;
  await pg.createDatabase(name);
  return name;
}

function options(store: string, database: string, extra: Record<string, string> = {}) {
  return resolveOptions(restoreOperation, objectSource({ store, passphrase: PASSPHRASE, 'target-database-url': pg.url(database), 'signing-public-key': signing.publicKey, ...extra }));
}

async function tablesIn(database: string): Promise<number> {
  const rows = await pg.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')", [], database);
  return Number(rows[0]!.n);
}

describe('restore and the origin of a backup', () => {
  it('restores a signed backup and says its origin was verified', async () => {
    const database = await emptyDatabase();
    const context = testContext();
    const outcome = await restore(options(signed, database), context);
    expect(outcome.failure).toBeUndefined();
    expect(context.reporter.summaries.join('\n')).toContain(`✅ Origin verified: the manifest is signed by ${signing.fingerprint}.`);
    expect((outcome.data as { phases: { name: string }[] }).phases.map((p) => p.name)).toEqual(['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks']);
  });

  it('refuses an unsigned backup by default, leaving the target untouched', async () => {
    const database = await emptyDatabase();
    const error = await restore(options(unsigned, database), testContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).problem).toBe('unsigned');
    expect(await tablesIn(database)).toBe(0);
  });

  it('refuses to start without signing-public-key', async () => {
    const database = await emptyDatabase();
    const plain = resolveOptions(restoreOperation, objectSource({ store: signed, passphrase: PASSPHRASE, 'target-database-url': pg.url(database) }));
    await expect(restore(plain, testContext())).rejects.toThrow(/No `signing-public-key` is set/);
  });

  it('restores an unsigned backup with allow-unsigned, saying loudly that its origin is unverified', async () => {
    const database = await emptyDatabase();
    const context = testContext();
    const outcome = await restore(options(unsigned, database, { 'allow-unsigned': 'true' }), context);
    expect(outcome.failure).toBeUndefined();
    expect(context.reporter.summaries.join('\n')).toContain('> ⚠️ Origin NOT verified: it has no manifest signature');
    expect(context.reporter.lines).toContainEqual({ level: 'warning', message: expect.stringContaining('`allow-unsigned` is set') });
  });
});
