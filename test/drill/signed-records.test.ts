/**
 * Drill records are signed with the drill's own key, and a gate given its public key trusts only
 * what that key signed: real gpg keys, a real backup of a real PostgreSQL, real drills into a
 * local store. A genuine failing record whose verdict is flipped afterwards keeps the gate red;
 * an unsigned forged passing record is ignored; gpg itself verifies a genuine record.
 */
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  drill,
  drillOperation,
  drillRecordSchema,
  gate,
  gateOperation,
  listCatalog,
  listOperation,
  manifestDigest,
  newBackupId,
  objectSource,
  resolveOptions,
  type DrillRecord,
} from '@lifeboat/core';
import { backupOptions, freshFolder, onlyManifest, testContext } from '../backup/support.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createSample } from '../postgres/sample.js';

let pg: PgServer;
let operator: GpgHome; // encryption pair
let backupSigner: GpgHome; // signs manifests: only the backup job holds it
let drillSigner: GpgHome; // signs drill records: only the drill job holds it
let store: string;
let evidence: string;
let backupId: string;
let manifestSha256: string;

beforeAll(async () => {
  [pg, operator, backupSigner, drillSigner] = await Promise.all([
    startPostgres(),
    createGpgHome({ name: 'Operator' }),
    createGpgHome({ name: 'Backup signer', usage: 'sign' }),
    createGpgHome({ name: 'Drill signer', usage: 'sign' }),
  ]);
  await createSample(pg, 'app');
  store = freshFolder();
  evidence = freshFolder('lifeboat-evidence-');
  const outcome = await backup(
    backupOptions({
      'database-url': pg.url('app'),
      store,
      recipients: operator.publicKeyArmored,
      'signing-key': backupSigner.secretKeyArmored,
      'signing-key-passphrase': backupSigner.passphrase,
    }),
    testContext(),
  );
  expect(outcome.failure).toBeUndefined();
  const { manifest, dir } = onlyManifest(store, 'app');
  backupId = manifest.id;
  manifestSha256 = manifestDigest(readFileSync(join(dir, 'manifest.json'), 'utf8'));
});

afterAll(async () => {
  await Promise.allSettled([pg?.stop(), operator?.cleanup(), backupSigner?.cleanup(), drillSigner?.cleanup()]);
  for (const dir of [store, evidence]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function drillOptions(extra: Record<string, string | undefined> = {}) {
  return resolveOptions(
    drillOperation,
    objectSource({
      store,
      identity: operator.secretKeyArmored,
      'identity-passphrase': operator.passphrase,
      'signing-public-key': backupSigner.publicKeyArmored,
      'signing-key': drillSigner.secretKeyArmored,
      'signing-key-passphrase': drillSigner.passphrase,
      'target-database-url': pg.url('postgres'),
      'evidence-dir': evidence,
      ...extra,
    }),
  );
}

const gateWith = (extra: Record<string, string | undefined> = {}) =>
  resolveOptions(gateOperation, objectSource({ store, name: 'app', 'max-backup-age': '1h', 'max-drill-age': '1h', ...extra }));

const messages = (ctx: ReturnType<typeof testContext>, level: 'info' | 'warning') =>
  ctx.reporter.lines.filter((l) => l.level === level).map((l) => l.message).join('\n');
const drillsDir = () => join(store, 'app', 'drills');
const recordPath = (id: string) => join(drillsDir(), `${id}.json`);

describe('signed drill records', () => {
  let passed: string;
  let failed: string;

  it('a drill signs its record with its own key; gpg verifies it, and the record names the manifest by SHA-256', async () => {
    const ctx = testContext();
    const outcome = await drill(drillOptions(), ctx);
    expect(outcome.failure).toBeUndefined();
    passed = String(outcome.outputs['drill-id']);
    expect(existsSync(`${recordPath(passed)}.sig`)).toBe(true);
    expect(messages(ctx, 'info')).toContain(`signed by ${drillSigner.fingerprint}`);
    const record = drillRecordSchema.parse(JSON.parse(readFileSync(recordPath(passed), 'utf8')));
    expect(record).toMatchObject({ backupId, manifestSha256, verdict: 'pass' });

    // An auditor needs only gpg and the drill's public key.
    const auditor = await createGpgHome({ generateKey: false });
    try {
      await auditor.importKey(drillSigner.publicKeyArmored);
      const verified = await auditor.gpg(['--verify', `${recordPath(passed)}.sig`, recordPath(passed)]);
      expect(verified.stderr).toMatch(/Good signature from "Drill signer/);
      expect(verified.code).toBe(0);
    } finally {
      await auditor.cleanup();
    }

    const green = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), testContext());
    expect(green.failure).toBeUndefined();
    expect(green.outputs['drill-id']).toBe(passed);
    expect(green.data).toMatchObject({ verdict: 'pass' });
  });

  it('a newer genuine failing record turns the gate red', async () => {
    const outcome = await drill(drillOptions({ checks: '- name: no customers\n  sql: SELECT 1\n  expect: no rows\n' }), testContext());
    expect(outcome.outputs.verdict).toBe('fail');
    failed = String(outcome.outputs['drill-id']);
    const red = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), testContext());
    expect(red.ok).toBe(false);
    expect(red.outputs['drill-id']).toBe(failed);
    expect(red.failure).toContain(`The newest drill (${failed} of backup ${backupId}) failed`);
  });

  it('an unsigned forged passing record is ignored when signing-public-key is set (and passed the gate without it)', async () => {
    const forgedId = newBackupId(new Date());
    const genuine = JSON.parse(readFileSync(recordPath(passed), 'utf8')) as DrillRecord;
    const now = new Date().toISOString();
    writeFileSync(recordPath(forgedId), JSON.stringify({ ...genuine, id: forgedId, startedAt: now, finishedAt: now, verdict: 'pass' }));
    try {
      const ctx = testContext();
      const red = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), ctx);
      expect(red.ok).toBe(false);
      expect(red.outputs['drill-id']).toBe(failed);
      expect(messages(ctx, 'warning')).toContain(`Drill record app/drills/${forgedId}.json is ignored: it has no signature`);
      expect(ctx.reporter.summaries.join('\n')).toContain('**Not trusted**');

      // Without keys the gate cannot tell the forgery from a genuine record: the hole this closes.
      const unchecked = testContext();
      const fooled = await gate(gateWith(), unchecked);
      expect(fooled.ok).toBe(true);
      expect(fooled.outputs['drill-id']).toBe(forgedId);
      expect(messages(unchecked, 'warning')).toContain('No `signing-public-key` is set, so drill records are taken as they are');

      const listed = await listCatalog(resolveOptions(listOperation, objectSource({ store, name: 'app', 'signing-public-key': drillSigner.publicKeyArmored })), testContext());
      const view = (listed.data as { names: { drills: { id: string; signature: string }[]; ignoredDrills: { key: string }[] }[] }).names[0]!;
      expect(view.drills.map((d) => [d.id, d.signature])).toEqual([
        [failed, 'verified'],
        [passed, 'verified'],
      ]);
      expect(view.ignoredDrills.map((d) => d.key)).toEqual([`app/drills/${forgedId}.json`]);
    } finally {
      unlinkSync(recordPath(forgedId));
    }
  });

  it('a genuine failing record flipped to pass afterwards is rejected, and the gate stays red', async () => {
    const original = readFileSync(recordPath(failed), 'utf8');
    const record = JSON.parse(original) as DrillRecord;
    writeFileSync(recordPath(failed), JSON.stringify({ ...record, verdict: 'pass', failure: undefined, checks: record.checks.map((c) => ({ ...c, ok: true })) }, null, 2));
    try {
      const ctx = testContext();
      const red = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), ctx);
      expect(red.ok).toBe(false);
      // It does not fall back to the older genuine pass: the tampered record may hide a failure.
      expect(red.failure).toContain(`The drill record app/drills/${failed}.json cannot be read`);
      expect(red.failure).toContain('its signature does not verify');
      expect(red.failure).toContain('it may have been altered after the drill');
    } finally {
      writeFileSync(recordPath(failed), original);
    }
  });

  it('a signed record copied under another id is not trusted', async () => {
    // A minute ahead (inside the allowed clock skew): the newest record even when other drills ran this second.
    const copyId = newBackupId(new Date(Date.now() + 60_000));
    writeFileSync(recordPath(copyId), readFileSync(recordPath(passed)));
    writeFileSync(`${recordPath(copyId)}.sig`, readFileSync(`${recordPath(passed)}.sig`));
    try {
      const red = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), testContext());
      expect(red.ok).toBe(false);
      expect(red.failure).toContain(`records drill app/${passed}, not the name and id it is stored under`);
    } finally {
      unlinkSync(recordPath(copyId));
      unlinkSync(`${recordPath(copyId)}.sig`);
    }
  });

  it('a newer inconclusive drill (the wrong identity) neither passes nor fails the gate, which says so', async () => {
    const again = await drill(drillOptions(), testContext());
    expect(again.outputs.verdict).toBe('pass');
    const stranger = await createGpgHome({ name: 'Someone else' });
    try {
      const ctx = testContext();
      const outcome = await drill(drillOptions({ identity: stranger.secretKeyArmored, 'identity-passphrase': stranger.passphrase }), ctx);
      expect(outcome.ok).toBe(false);
      expect(outcome.outputs.verdict).toBe('inconclusive');
      expect(outcome.failure).toMatch(/^Drill inconclusive: decrypt failed: /);
      const inconclusive = String(outcome.outputs['drill-id']);
      const record = drillRecordSchema.parse(JSON.parse(readFileSync(recordPath(inconclusive), 'utf8')));
      expect(record.verdict).toBe('inconclusive');
      expect(existsSync(`${recordPath(inconclusive)}.sig`)).toBe(true);

      const gateCtx = testContext();
      const green = await gate(gateWith({ 'signing-public-key': drillSigner.publicKeyArmored }), gateCtx);
      expect(green.failure).toBeUndefined();
      expect(green.outputs['drill-id']).toBe(again.outputs['drill-id']);
      expect(messages(gateCtx, 'info')).toContain(
        `The newest drill (${inconclusive}) was inconclusive (decrypt failed: `,
      );
      expect(messages(gateCtx, 'info')).toContain(`which looks at the newest conclusive drill, ${String(again.outputs['drill-id'])}.`);
    } finally {
      await stranger.cleanup();
    }
  });

  it('refuses a drill signing key whose passphrase is wrong before downloading anything, naming the option', async () => {
    const before = readdirSync(drillsDir()).length;
    const outcome = await drill(drillOptions({ 'signing-key-passphrase': 'not the passphrase', 'record-drill': 'false' }), testContext());
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('signing-key-passphrase');
    expect((outcome.data as DrillRecord).phases).toEqual([]);
    expect(readdirSync(drillsDir())).toHaveLength(before);
  });

  it('refuses a gate whose signing-public-key is not a public key, naming the option', async () => {
    await expect(gate(gateWith({ 'signing-public-key': 'not a key' }), testContext())).rejects.toThrow(/signing-public-key/);
  });
});
