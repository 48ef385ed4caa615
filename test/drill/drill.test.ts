import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  drill,
  drillOperation,
  drillRecordSchema,
  gate,
  gateOperation,
  generateKeyPair,
  objectSource,
  resolveOptions,
  type DrillRecord,
} from '@lifeboat/core';
import type { PostgresRestoredTarget } from '../../packages/core/src/engines/postgres/engine.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createSample, SAMPLE_ROWS } from '../postgres/sample.js';
import { backupOptions, freshFolder, onlyManifest, testContext } from '../backup/support.js';

let pg: PgServer;
let gpg: GpgHome;
let signing: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  [pg, gpg, signing] = await Promise.all([startPostgres(), createGpgHome(), generateKeyPair({ name: 'Drill test signing', purpose: 'sign' })]);
  await createSample(pg, 'app');
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup()]);
});

/** A local store holding one fresh backup of the sample, encrypted to the gpg test key. */
async function storeWithBackup(): Promise<{ folder: string; id: string; dir: string }> {
  const folder = freshFolder();
  const outcome = await backup(
    backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, 'signing-key': signing.privateKey }),
    testContext(),
  );
  expect(outcome.failure).toBeUndefined();
  const { manifest, dir } = onlyManifest(folder, 'app');
  return { folder, id: manifest.id, dir };
}

function drillOptions(folder: string, extra: Record<string, string | undefined> = {}) {
  return resolveOptions(
    drillOperation,
    objectSource({
      store: folder,
      identity: gpg.secretKeyArmored,
      'identity-passphrase': gpg.passphrase,
      'signing-public-key': signing.publicKey,
      'target-database-url': pg.url('postgres'),
      'evidence-dir': join(folder, '.evidence'),
      ...extra,
    }),
  );
}

/** The evidence record the drill stored under drills/, parsed. */
function storedRecord(folder: string): DrillRecord {
  const dir = join(folder, 'app', 'drills');
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  return drillRecordSchema.parse(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')));
}

describe('restore drill of a real backup', () => {
  it('passes with every table and row count checked, and publishes evidence', async () => {
    const { folder, id } = await storeWithBackup();
    const context = testContext();
    const outcome = await drill(drillOptions(folder, { checks: '- name: customers exist\n  sql: SELECT count(*) FROM app.customers\n  expect: ">= 1"\n', 'max-rpo': '1h' }), context);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toMatchObject({ 'backup-id': id, verdict: 'pass', 'checks-failed': 0 });

    const record = storedRecord(folder);
    expect(record.verdict).toBe('pass');
    expect(record.backupId).toBe(id);
    expect(record.phases.map((p) => p.name)).toEqual(['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks']);
    expect(record.authenticity).toEqual({ verified: true, signedBy: signing.fingerprint, signed: true, allowUnsigned: false, encrypted: true });
    expect(record.phases.every((p) => p.ok)).toBe(true);
    const rowChecks = record.checks.filter((c) => c.kind === 'row-count');
    expect(Object.fromEntries(rowChecks.map((c) => [c.name.replace('rows in ', ''), c.actual]))).toMatchObject(SAMPLE_ROWS);
    expect(rowChecks.every((c) => c.ok && c.expected === c.actual)).toBe(true);
    expect(record.checks.find((c) => c.kind === 'restore-errors')).toMatchObject({ ok: true, actual: 0 });
    expect(record.checks.find((c) => c.kind === 'sql')).toMatchObject({ name: 'customers exist', ok: true, actual: '120' });
    expect(record.checks.find((c) => c.kind === 'rpo')).toMatchObject({ ok: true });
    expect(record.rpoMs).toBeGreaterThanOrEqual(0);
    expect(record.rtoMs).toBeGreaterThan(0);
    // The outputs keep the fraction: a drill of 439 ms reports 0.439, not 0.
    expect(outcome.outputs['rto-seconds']).toBe(Math.round(record.rtoMs!) / 1000);
    expect(outcome.outputs['rpo-seconds']).toBe(Math.round(record.rpoMs!) / 1000);
    expect(record.versions).toMatchObject({
      'target server': expect.stringMatching(/^\d+/),
      pg_restore: expect.any(String),
      // gpg when a usable one is on PATH, else openpgp.js: the evidence says which.
      decryption: expect.stringMatching(/^(gpg \d+\.\d+|openpgp\.js)/),
    });

    // Evidence files on the runner, Markdown in the summary, and no secret anywhere.
    expect(existsSync(outcome.outputs['evidence-path'] as string)).toBe(true);
    const markdown = readFileSync(outcome.outputs['evidence-markdown-path'] as string, 'utf8');
    expect(markdown).toContain('restore drill: ✅ pass');
    expect(context.reporter.summaries.join('\n')).toContain(id);
    const everything = [JSON.stringify(record), markdown, context.reporter.text()].join('\n');
    expect(everything).not.toContain(gpg.passphrase);
    expect(everything).not.toContain(pg.password);

    // The scratch database is gone.
    const databases = await pg.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'");
    expect(databases).toEqual([]);

    // The gate now sees a fresh backup with a recent passing drill.
    const verdict = await gate(resolveOptions(gateOperation, objectSource({ store: folder })), testContext());
    expect(verdict.ok).toBe(true);
  });

  it('starts a throwaway server of the backup\'s major when no target is given', async () => {
    const { folder, id } = await storeWithBackup();
    const outcome = await drill(drillOptions(folder, { 'target-database-url': undefined }), testContext());
    expect(outcome.failure).toBeUndefined();
    const record = storedRecord(folder);
    expect(record).toMatchObject({ backupId: id, verdict: 'pass' });
    expect(record.target).toMatch(new RegExp(`^throwaway local server PostgreSQL ${pg.major}\\.`));
    expect(record.checks.filter((c) => c.kind === 'row-count')).toHaveLength(Object.keys(SAMPLE_ROWS).length);
  });

  it('keeps its verdict and stores its record when the evidence folder cannot be written', async () => {
    const { folder, id } = await storeWithBackup();
    const blocker = join(folder, 'not-a-folder');
    writeFileSync(blocker, 'a file where the evidence folder should be');
    const context = testContext();
    const outcome = await drill(drillOptions(folder, { 'evidence-dir': join(blocker, 'evidence') }), context);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ 'backup-id': id, verdict: 'pass', 'evidence-path': undefined });
    expect(context.reporter.text()).toMatch(/Could not write the evidence files to .*not-a-folder.*Set `evidence-dir` to a writable folder/);
    expect(context.reporter.summaries.join('\n')).toContain(id);
    expect(storedRecord(folder)).toMatchObject({ backupId: id, verdict: 'pass' });
  });

  it('drills a passphrase-encrypted backup with only the passphrase', async () => {
    const folder = freshFolder();
    await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, passphrase: 'drill passphrase 1234', 'signing-key': signing.privateKey }), testContext());
    const outcome = await drill(
      resolveOptions(
        drillOperation,
        objectSource({ store: folder, passphrase: 'drill passphrase 1234', 'signing-public-key': signing.publicKey, 'target-database-url': pg.url('postgres'), 'evidence-dir': join(folder, '.e') }),
      ),
      testContext(),
    );
    expect(outcome.failure).toBeUndefined();
  });
});

describe('a drill fails (or is inconclusive) with the named reason and still writes evidence', () => {
  async function failedDrill(
    prepare: (store: { folder: string; id: string; dir: string }) => Promise<Record<string, string | undefined> | void>,
    hooks: Parameters<typeof drill>[2] = {},
    clock?: () => Date,
    verdict: 'fail' | 'inconclusive' = 'fail',
  ) {
    const store = await storeWithBackup();
    const extra = (await prepare(store)) ?? {};
    const context = testContext();
    const outcome = await drill(drillOptions(store.folder, extra), clock ? { ...context, now: clock } : context, hooks);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs.verdict).toBe(verdict);
    const record = drillRecordSchema.parse(JSON.parse(readFileSync(outcome.outputs['evidence-path'] as string, 'utf8')));
    expect(record.verdict).toBe(verdict);
    expect(record.failure).toBeTruthy();
    return { outcome, record, store };
  }

  it('a table dropped from the restored database before the checks', async () => {
    const { outcome, record } = await failedDrill(async () => {}, {
      afterRestore: async (target) => {
        await pg.query('DROP TABLE app.orders CASCADE', [], (target as PostgresRestoredTarget).connection.database);
      },
    });
    expect(outcome.failure).toContain('table app.orders exists (expected present, got missing)');
    expect(record.checks.find((c) => c.name === 'table app.orders exists')).toMatchObject({ ok: false, kind: 'table-exists' });
  });

  it('a row-count mismatch', async () => {
    const { outcome } = await failedDrill(async () => {}, {
      afterRestore: async (target) => {
        await pg.query('DELETE FROM audit.log WHERE id <= 3', [], (target as PostgresRestoredTarget).connection.database);
      },
    });
    expect(outcome.failure).toContain('rows in audit.log (expected 500, got 497)');
  });

  it('a corrupted stored byte', async () => {
    const { outcome, record } = await failedDrill(async ({ dir }) => {
      const path = join(dir, 'db.pgdump.zst.pgp');
      const bytes = readFileSync(path);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(path, bytes);
    });
    expect(outcome.failure).toMatch(/verify failed: db\.pgdump\.zst\.pgp does not match its manifest: SHA-256/);
    expect(record.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['select:true', 'authenticate:true', 'download:true', 'verify:false']);
  });

  it('a truncated object', async () => {
    const { outcome } = await failedDrill(async ({ dir }) => {
      const path = join(dir, 'db.pgdump.zst.pgp');
      const bytes = readFileSync(path);
      writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    });
    expect(outcome.failure).toMatch(/verify failed: db\.pgdump\.zst\.pgp is truncated/);
  });

  it('a payload that decrypts cleanly but does not match its manifest starts no restore (decryption runs alongside verification)', async () => {
    // Unsigned, so the manifest's SHA-256 can be changed: the ciphertext stays intact and decrypts, only the hash disagrees.
    const folder = freshFolder();
    const made = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored }), testContext());
    expect(made.failure).toBeUndefined();
    const { dir } = onlyManifest(folder, 'app');
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { objects: { role: string; sha256: string }[] };
    const payload = manifest.objects.find((o) => o.role === 'payload')!;
    payload.sha256 = payload.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const before = await pg.query(`SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'`);
    const outcome = await drill(drillOptions(folder, { 'signing-public-key': undefined, 'allow-unsigned': 'true' }), testContext(), {
      afterRestore: async () => {
        throw new Error('restored a payload that failed verification');
      },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/verify failed: db\.pgdump\.zst\.pgp does not match its manifest: SHA-256 [0-9a-f]{64} stored, [0-9a-f]{64} recorded/);
    const record = drillRecordSchema.parse(JSON.parse(readFileSync(outcome.outputs['evidence-path'] as string, 'utf8')));
    expect(record.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['select:true', 'authenticate:true', 'download:true', 'verify:false']);
    expect(record.phases.at(-1)).toMatchObject({ concurrentWith: 'decrypt' });
    expect(record.target).toBeUndefined();
    // No scratch database was ever created for it.
    expect(await pg.query(`SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'`)).toEqual(before);
  });

  it('a wrong key (inconclusive: the setup, not the backup, stopped it)', async () => {
    const other = await generateKeyPair({ name: 'Someone Else' });
    const { outcome, record } = await failedDrill(async () => ({ identity: other.privateKey, 'identity-passphrase': undefined }), {}, undefined, 'inconclusive');
    expect(outcome.failure).toMatch(/^Drill inconclusive: decrypt failed: /);
    expect(outcome.failure).toMatch(/The encrypted data is encrypted to key id [0-9A-F]{16}; the identity holds /);
    expect(outcome.failure).toContain(other.fingerprint);
    expect(record.phases.at(-1)).toMatchObject({ name: 'decrypt', ok: false });
    // The origin was proven before the key failed, and the evidence says so.
    expect(record.authenticity).toEqual({ verified: true, signedBy: signing.fingerprint, signed: true, allowUnsigned: false, encrypted: true });
    expect(record.notes).toContain(`Origin verified: the manifest is signed by ${signing.fingerprint}.`);
  });

  it('a missing manifest', async () => {
    const { outcome, record } = await failedDrill(async ({ dir }) => {
      rmSync(join(dir, 'manifest.json'));
    });
    expect(outcome.failure).toMatch(/select failed: No complete backup exists\. Backups that are not complete: \d{8}T\d{6}Z-\w+ \(no manifest\)/);
    expect(record.backupId).toBeUndefined();
  });

  it('a target older than the backup needs (inconclusive)', async () => {
    const old = await startPostgres({ major: 14 });
    try {
      const { outcome } = await failedDrill(async () => ({ 'target-database-url': old.url('postgres') }), {}, undefined, 'inconclusive');
      expect(outcome.failure).toContain(`restore failed: The target server is PostgreSQL 14, older than the PostgreSQL ${pg.major} this backup was taken from`);
    } finally {
      await old.stop();
    }
  });

  it('a backup dated in the future: its age is unknown, so it never meets max-rpo', async () => {
    // Seen from a clock a year behind; drilled by id, since the newest-backup choice passes it over.
    const { outcome, record } = await failedDrill(async ({ id }) => ({ 'max-rpo': '26h', 'backup-id': id }), {}, () => new Date(Date.now() - 365 * 86_400_000));
    expect(outcome.failure).toMatch(/RPO within target \(expected <= 1d 2h, got unknown: dated in the future: its id \(\S+\) lies 36\dd/);
    expect(record.rpoMs).toBeUndefined();
  });

  it('a backup older than max-rpo', async () => {
    const { outcome } = await failedDrill(async () => ({ 'max-rpo': '1ms' }));
    expect(outcome.failure).toMatch(/RPO within target \(expected <= 1ms, got /);
  });

  it('a failing operator check, with expected and actual values', async () => {
    const { outcome } = await failedDrill(async () => ({ checks: '- name: big orders\n  sql: SELECT count(*) FROM app.orders\n  expect: ">= 100000"\n' }));
    expect(outcome.failure).toContain('big orders (expected >= 100000, got 1500)');
  });
});
