import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@lifeboat/core';
import { freshFolder } from './backup/support.js';
import { startProtocolPeer, syntheticDataset, type ProtocolPeer } from './canister/protocol-peer.mjs';
import { createSample } from './postgres/sample.js';
import { startPostgres, type PgServer } from './services/postgres.js';
import { runBundledAction, type ActionRun } from './support/run-action.js';

/** Lines the runner would show, minus the `::add-mask::` commands that carry secrets to it. */
function visible(run: ActionRun): string {
  return (run.stdout + run.stderr)
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

let pg: PgServer;
const passphrase = 'action run passphrase 42';
// Backups sign their manifests; drills verify them (they refuse unsigned backups by default).
let signing: { privateKey: string; publicKey: string };

beforeAll(async () => {
  signing = await generateKeyPair({ name: 'Action run signing', purpose: 'sign' });
  pg = await startPostgres();
  await createSample(pg, 'app');
});
afterAll(async () => {
  await pg?.stop();
});

describe('the bundled actions under Node 24, as a workflow runs them', () => {
  it('backup → restore-drill → backup-gate on a folder store', async () => {
    const store = freshFolder();
    const backup = await runBundledAction('backup', { 'database-url': pg.url('app'), store, passphrase, 'signing-key': signing.privateKey });
    expect(backup.code, visible(backup)).toBe(0);
    expect(backup.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-[a-z2-7]{6}$/);
    expect(backup.outputs).toMatchObject({ encrypted: 'true', pruned: '0' });
    expect(backup.outputs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.summary).toContain('## Lifeboat backup');
    expect(visible(backup)).not.toContain(passphrase);
    expect(visible(backup)).not.toContain(pg.password);
    expect(backup.stdout).toContain(`::add-mask::${passphrase}`);

    const drill = await runBundledAction('restore-drill', { store, passphrase, 'signing-public-key': signing.publicKey, 'target-database-url': pg.url('postgres') });
    expect(drill.code, visible(drill)).toBe(0);
    expect(drill.outputs).toMatchObject({ verdict: 'pass', 'backup-id': backup.outputs['backup-id'], 'checks-failed': '0' });
    expect(drill.summary).toContain('restore drill: ✅ pass');
    // Outside GitHub there is no artifact service: the upload is a warning, not a failure.
    expect(drill.stdout).toMatch(/::warning::Could not upload the evidence artifact/);
    expect(readdirSync(join(store, 'app', 'drills'))).toHaveLength(1);

    const gate = await runBundledAction('backup-gate', { store, 'max-backup-age': '1h', 'max-drill-age': '1h' });
    expect(gate.code, visible(gate)).toBe(0);
    expect(gate.outputs).toMatchObject({ verdict: 'pass', 'backup-id': backup.outputs['backup-id'] });
    expect(gate.summary).toContain('pass');
  });

  it('backup-gate fails a PR when there is no backup, with the reason in the log', async () => {
    const gate = await runBundledAction('backup-gate', { store: freshFolder(), name: 'app' });
    expect(gate.code).not.toBe(0);
    expect(gate.outputs.verdict).toBe('fail');
    expect(gate.stdout).toMatch(/::error::.*no complete backup/i);
  });

  it('backup fails closed without a key, before touching the database', async () => {
    const store = freshFolder();
    const run = await runBundledAction('backup', { 'database-url': 'postgres://u:pw@127.0.0.1:1/db', store });
    expect(run.code).not.toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(/^::error::No encryption key/),
    ]);
    expect(readdirSync(store)).toEqual([]);
  });

  it('backup with `preflight: true` only checks: a PASS/FAIL table, non-zero on a FAIL, nothing stored', async () => {
    const store = freshFolder();
    const missing = join(store, 'typo');
    const failed = await runBundledAction('backup', { preflight: 'true', 'database-url': pg.url('app'), store: missing, passphrase });
    expect(failed.code).not.toBe(0);
    expect(failed.summary).toContain('| store | FAIL | The store folder');
    expect(failed.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual(['::error::Preflight failed: store.']);
    const passed = await runBundledAction('backup', { preflight: 'true', 'database-url': pg.url('app'), store, passphrase });
    expect(passed.code, visible(passed)).toBe(0);
    expect(passed.summary).toContain('| privileges app | PASS |');
    expect(passed.outputs).toMatchObject({ passed: 'true', failed: '' });
    expect(readdirSync(store)).toEqual([]);
  });

  describe('canister-export against a loopback peer speaking the operator export protocol', () => {
    let peer: ProtocolPeer;
    beforeAll(async () => {
      peer = await startProtocolPeer({ dataset: syntheticDataset({ users: 5, notesPerVault: 3, proposalsPerUser: 1 }), exportKey: 'operator-export-key-1' });
    });
    afterAll(async () => {
      await peer?.close();
    });

    it('exports every user into an encrypted backup with a manifest, and the drill verifies it', async () => {
      const store = freshFolder();
      const run = await runBundledAction('canister-export', { 'canister-url': peer.url, 'export-key': 'operator-export-key-1', store, name: 'hub', passphrase, 'signing-key': signing.privateKey });
      expect(run.code, visible(run)).toBe(0);
      expect(run.outputs).toMatchObject({ complete: 'true' });
      expect(visible(run)).not.toContain('operator-export-key-1');
      const drill = await runBundledAction('restore-drill', { store, name: 'hub', passphrase, 'signing-public-key': signing.publicKey });
      expect(drill.code, visible(drill)).toBe(0);
      expect(drill.outputs.verdict).toBe('pass');
    });
  });
});
