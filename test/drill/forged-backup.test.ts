/**
 * Someone who can write to the store and knows only the public key forges a newer backup: a
 * consistent manifest, a payload encrypted to the recipients with gpg, SHA-256 values they
 * computed themselves. A default drill (the real CLI, real gpg keys, real PostgreSQL) refuses
 * it before downloading its payload; so does a drill of a plaintext forgery when an identity
 * is given. `allow-unsigned` is the loud way to accept unsigned backups.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  drill,
  drillOperation,
  drillRecordSchema,
  newBackupId,
  objectSource,
  resolveOptions,
  serializeManifest,
  type DrillRecord,
  type Manifest,
} from '@lifeboat/core';
import { backupOptions, freshFolder, onlyManifest, testContext } from '../backup/support.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createSample, machineClientBinDir } from '../postgres/sample.js';
import { runCli } from '../support/cli.js';

let pg: PgServer;
let operator: GpgHome; // the encryption pair: recipients / identity
let signer: GpgHome; // the signing pair: only the backup job has its private key
let forger: GpgHome; // holds nothing but the operator's public key
let files: string;
let store: string;
let realId: string;
let realManifest: Manifest;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  [pg, operator, signer, forger] = await Promise.all([
    startPostgres(),
    createGpgHome({ name: 'Operator' }),
    createGpgHome({ name: 'Backup signer', usage: 'sign' }),
    createGpgHome({ generateKey: false }),
  ]);
  await forger.importKey(operator.publicKeyArmored);
  await createSample(pg, 'app');
  // What the forger wants restored instead: a database of their own.
  await pg.createDatabase('evil');
  await pg.query('CREATE TABLE forged_marker (note text); INSERT INTO forged_marker VALUES (\'planted\');', [], 'evil');
  files = freshFolder('lifeboat-forgery-files-');
  writeFileSync(join(files, 'identity.asc'), operator.secretKeyArmored, { mode: 0o600 });
  writeFileSync(join(files, 'signing.pub.asc'), signer.publicKeyArmored);
  writeFileSync(join(files, 'signing.key.asc'), signer.secretKeyArmored, { mode: 0o600 });
  store = freshFolder();
  const outcome = await backup(
    backupOptions({
      'database-url': pg.url('app'),
      store,
      recipients: operator.publicKeyArmored,
      'signing-key': join(files, 'signing.key.asc'),
      'signing-key-passphrase': signer.passphrase,
    }),
    testContext(),
  );
  expect(outcome.failure).toBeUndefined();
  ({ manifest: realManifest } = onlyManifest(store, 'app'));
  realId = realManifest.id;
});

afterAll(async () => {
  await Promise.allSettled([pg?.stop(), operator?.cleanup(), signer?.cleanup(), forger?.cleanup()]);
  for (const dir of [files, store]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes a newer backup the way a forger with write access and the public key can. */
async function forge(options: { plaintext?: boolean; signWith?: GpgHome } = {}): Promise<string> {
  const id = newBackupId(new Date(Date.now() + 1000));
  const dir = join(store, 'app', id);
  mkdirSync(dir);
  const dump = execFileSync(join(machineClientBinDir(), 'pg_dump'), ['-Fc', pg.url('evil')]);
  const stats = Buffer.from(JSON.stringify({ tables: [{ schema: 'public', name: 'forged_marker', rows: 1 }], counts: 'exact', plaintextSha256: sha256(dump) }));
  const encrypt = async (bytes: Buffer) => {
    const result = await forger.gpg(['--trust-model', 'always', '--recipient', operator.fingerprint, '--encrypt'], bytes);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const payload = options.plaintext ? dump : await encrypt(dump);
  const storedStats = options.plaintext ? stats : await encrypt(stats);
  const payloadFile = options.plaintext ? 'db.pgdump' : 'db.pgdump.pgp';
  const statsFile = options.plaintext ? 'stats.json' : 'stats.json.pgp';
  writeFileSync(join(dir, payloadFile), payload);
  writeFileSync(join(dir, statsFile), storedStats);
  const now = new Date().toISOString();
  const manifest: Manifest = {
    ...realManifest,
    // The forger's payload is a plain `pg_dump -Fc` archive, not a zstd frame around one.
    source: { ...realManifest.source, streamCompression: undefined },
    id,
    startedAt: now,
    finishedAt: now,
    objects: [
      { role: 'payload', file: payloadFile, size: payload.length, sha256: sha256(payload) },
      { role: 'stats', file: statsFile, size: storedStats.length, sha256: sha256(storedStats) },
    ],
    ...(options.plaintext && { encryption: { scheme: 'none', recipients: [], passphrase: false } }),
  };
  const text = serializeManifest(manifest);
  if (options.signWith) {
    const signed = await options.signWith.gpg(['--pinentry-mode', 'loopback', '--passphrase', options.signWith.passphrase, '--armor', '--detach-sign'], text);
    expect(signed.code, signed.stderr).toBe(0);
    writeFileSync(join(dir, 'manifest.json.sig'), signed.stdout);
  }
  writeFileSync(join(dir, 'manifest.json'), text);
  return id;
}

function removeBackup(id: string): void {
  rmSync(join(store, 'app', id), { recursive: true, force: true });
}

/** The drill's environment, as a workflow step gives it: secrets and settings in env vars. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LIFEBOAT_IDENTITY: join(files, 'identity.asc'),
    LIFEBOAT_IDENTITY_PASSPHRASE: operator.passphrase,
    LIFEBOAT_SIGNING_PUBLIC_KEY: join(files, 'signing.pub.asc'),
    LIFEBOAT_TARGET_DATABASE_URL: pg.url('postgres'),
    ...extra,
  };
}

function evidence(dir: string): DrillRecord {
  const json = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(json).toHaveLength(1);
  return drillRecordSchema.parse(JSON.parse(readFileSync(join(dir, json[0]!), 'utf8')));
}

async function plantedAnywhere(): Promise<string[]> {
  const found: string[] = [];
  for (const { datname } of await pg.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname NOT IN ('template0', 'template1', 'evil')")) {
    const rows = await pg.query("SELECT 1 FROM pg_class WHERE relname = 'forged_marker'", [], datname);
    if (rows.length > 0) found.push(datname);
  }
  return found;
}

describe('a backup forged with only the public key', () => {
  it('is refused by a default drill (the CLI) before its payload is downloaded', async () => {
    const forged = await forge();
    try {
      const evidenceDir = join(files, 'evidence-default');
      const run = await runCli(['drill', '--store', store, '--name', 'app', '--record-drill', 'false', '--evidence-dir', evidenceDir], cliEnv());
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain(`error: Drill fail: authenticate failed: Backup ${forged} has no manifest signature (manifest.json.sig), so nothing proves your backup job wrote it.`);
      const record = evidence(evidenceDir);
      expect(record.backupId).toBe(forged);
      expect(record.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['select:true', 'authenticate:false']);
      expect(await plantedAnywhere()).toEqual([]);
    } finally {
      removeBackup(forged);
    }
  });

  it('is refused when the forger signs it with a key of their own', async () => {
    const forged = await forge({ signWith: operator /* any key that is not the signing key */ });
    try {
      const outcome = await drill(drillOptions({}), testContext());
      expect(outcome.ok).toBe(false);
      expect(outcome.failure).toMatch(new RegExp(`authenticate failed: The signature was made by key id [0-9A-F]{16}, which is not among the keys in \`signing-public-key\``));
      expect(await plantedAnywhere()).toEqual([]);
    } finally {
      removeBackup(forged);
    }
  });

  it('is refused when a real signature is moved onto it', async () => {
    const forged = await forge();
    try {
      const real = readFileSync(join(store, 'app', realId, 'manifest.json.sig'));
      writeFileSync(join(store, 'app', forged, 'manifest.json.sig'), real);
      const outcome = await drill(drillOptions({}), testContext());
      expect(outcome.failure).toContain('authenticate failed: The signature does not match the data');
    } finally {
      removeBackup(forged);
    }
  });

  it('is accepted only with allow-unsigned, and the evidence and summary say its origin is not verified', async () => {
    const forged = await forge();
    try {
      const context = testContext();
      const outcome = await drill(drillOptions({ 'allow-unsigned': 'true' }), context);
      expect(outcome.outputs['backup-id']).toBe(forged);
      const record = outcome.data as DrillRecord;
      expect(record.authenticity).toEqual({ verified: false, signed: false, allowUnsigned: true, encrypted: true });
      expect(record.notes).toContain('Origin NOT verified: it has no manifest signature, and `allow-unsigned` accepted it; anyone who can write to the store could have made this backup.');
      expect(context.reporter.summaries.join('\n')).toContain('- **Origin:** ⚠️ **NOT VERIFIED**: the backup is unsigned and `allow-unsigned` is set');
      expect(context.reporter.text()).toContain('`allow-unsigned` is set: a backup without a manifest signature is accepted');
    } finally {
      removeBackup(forged);
    }
  });

  it('never hides the real backup: drilled by id, it passes with its origin verified', async () => {
    const forged = await forge();
    try {
      const outcome = await drill(drillOptions({ 'backup-id': realId }), testContext());
      expect(outcome.failure).toBeUndefined();
      const record = outcome.data as DrillRecord;
      expect(record.authenticity).toEqual({ verified: true, signedBy: signer.fingerprint, signed: true, allowUnsigned: false, encrypted: true });
      expect(record.phases.map((p) => p.name)).toEqual(['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks']);
    } finally {
      removeBackup(forged);
    }
  });
});

describe('a plaintext forgery (encryption: none)', () => {
  it('is refused by a default drill (the CLI) when an identity is given', async () => {
    const forged = await forge({ plaintext: true });
    try {
      const run = await runCli(['drill', '--store', store, '--name', 'app', '--record-drill', 'false', '--evidence-dir', join(files, 'evidence-plain')], cliEnv());
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain(`authenticate failed: Backup ${forged} says it is not encrypted (encryption: none), although \`identity\` or \`passphrase\` is given`);
      expect(await plantedAnywhere()).toEqual([]);
    } finally {
      removeBackup(forged);
    }
  });

  it('is refused even with allow-unsigned, unless allow-unencrypted says plaintext is expected', async () => {
    const forged = await forge({ plaintext: true });
    try {
      const refused = await drill(drillOptions({ 'allow-unsigned': 'true' }), testContext());
      expect(refused.failure).toContain('says it is not encrypted (encryption: none)');
      const accepted = await drill(drillOptions({ 'allow-unsigned': 'true', 'allow-unencrypted': 'true' }), testContext());
      expect(accepted.outputs['backup-id']).toBe(forged);
      expect((accepted.data as DrillRecord).authenticity).toMatchObject({ verified: false, encrypted: false });
    } finally {
      removeBackup(forged);
    }
  });
});

describe('a drill that cannot prove origins', () => {
  it('refuses to start without signing-public-key, naming allow-unsigned as the explicit way out', async () => {
    const outcome = await drill(drillOptions({ 'signing-public-key': undefined }), testContext());
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('No `signing-public-key` is set, so nothing can prove that a backup was written by your backup job');
    expect((outcome.data as DrillRecord).phases).toEqual([]);
  });
});

function drillOptions(extra: Record<string, string | undefined>) {
  return resolveOptions(
    drillOperation,
    objectSource({
      store,
      name: 'app',
      identity: operator.secretKeyArmored,
      'identity-passphrase': operator.passphrase,
      'signing-public-key': signer.publicKeyArmored,
      'target-database-url': pg.url('postgres'),
      'record-drill': 'false',
      'evidence-dir': join(files, `evidence-${Math.random().toString(36).slice(2)}`),
      ...extra,
    }),
  );
}
