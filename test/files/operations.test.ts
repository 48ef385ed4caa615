/**
 * Files through the operations an operator runs: `lifeboat backup --paths`, `lifeboat drill`
 * with files checks, `lifeboat restore --target-dir`; the secret scan refusing a private key,
 * `allow-secrets`, a tampered payload, a missing path. Real OpenPGP encryption, real files.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backup, backupOperation, drill, drillOperation, drillRecordSchema, generateKeyPair, objectSource, resolveOptions, restore, restoreOperation, type DrillRecord, type Manifest } from '@lifeboat/core';
import { runCli } from '../support/cli.js';
import { runBundledAction } from '../support/run-action.js';
import { tempFolder } from '../support/temp-folders.js';
import { testContext } from '../redis/support.js';
import { privateKeyText, SAMPLE_FILES, SAMPLE_PATHS, writeSample } from './sample.js';

let encryptionKey: Awaited<ReturnType<typeof generateKeyPair>>;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  [encryptionKey, signingKey] = await Promise.all([generateKeyPair({ name: 'Files operations test' }), generateKeyPair({ name: 'Files operations test signing', purpose: 'sign' })]);
});

function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...extra };
}

function backupIds(store: string, name: string): string[] {
  if (!existsSync(join(store, name))) return [];
  return readdirSync(join(store, name)).filter((e) => e !== 'drills');
}

function onlyManifest(store: string, name: string): { manifest: Manifest; dir: string } {
  const ids = backupIds(store, name);
  expect(ids).toHaveLength(1);
  const dir = join(store, name, ids[0]!);
  return { manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest, dir };
}

const CHECKS = `
- name: the config is there
  path: etc/app.yaml
  expect: exists
- name: seed data parses
  path: data/seed.json
  expect: parses
- name: the database host is configured
  path: etc/app.yaml
  expect: contains database.host
- name: the second plan
  path: data/seed.json
  expect: contains plans.1.name
`;

describe('lifeboat backup --paths, drill and restore --target-dir', () => {
  let root: string;
  let store: string;

  it('backs up the listed files and folders through the CLI, encrypted, with the manifest last', async () => {
    root = tempFolder('lifeboat-files-root-');
    store = tempFolder('lifeboat-store-');
    writeSample(root);
    const run = await runCli(['backup', '--store', store, '--name', 'app-config', '--paths', SAMPLE_PATHS, '--files-root', root], cliEnv({
      LIFEBOAT_RECIPIENTS: encryptionKey.publicKey,
      LIFEBOAT_SIGNING_KEY: signingKey.privateKey,
    }));
    expect(run.code, run.output).toBe(0);
    const { manifest, dir } = onlyManifest(store, 'app-config');
    expect(manifest.source).toEqual({ kind: 'files', payloadFormat: 'tar', allowSecrets: false });
    expect(readdirSync(dir).sort()).toContain('files.tar.pgp');
    // Encrypted: no file's content and no file name is readable in the store.
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file), 'latin1');
      expect(bytes).not.toContain('db.internal');
      expect(bytes).not.toContain('seed.json');
    }
  });

  it('drills it: every SHA-256, every file present, JSON and YAML parse, the operator checks; evidence counts files and bytes', async () => {
    const evidenceDir = tempFolder('lifeboat-evidence-');
    const checks = join(evidenceDir, 'drill-checks.yml');
    writeFileSync(checks, CHECKS);
    // The drill gets a temp folder of its own, so what it leaves there can be seen.
    const drillTemp = tempFolder('lifeboat-drill-temp-');
    const run = await runCli(['drill', '--store', store, '--name', 'app-config', '--checks', checks, '--evidence-dir', evidenceDir], cliEnv({
      TMPDIR: drillTemp,
      LIFEBOAT_IDENTITY: encryptionKey.privateKey,
      LIFEBOAT_SIGNING_PUBLIC_KEY: signingKey.publicKey,
    }));
    expect(run.code, run.output).toBe(0);
    const file = readdirSync(evidenceDir).find((f) => f.endsWith('.json'))!;
    const record = drillRecordSchema.parse(JSON.parse(readFileSync(join(evidenceDir, file), 'utf8')));
    expect(record.verdict).toBe('pass');
    expect(record.phases.map((p) => p.name)).toEqual(['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks']);
    const bytes = Object.values(SAMPLE_FILES).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(record.checks.find((c) => c.kind === 'files-sha256')).toMatchObject({ ok: true, expected: '5 files as listed in SHA256SUMS', actual: `5 files, ${bytes} bytes verified` });
    expect(record.checks.find((c) => c.kind === 'files-present')).toMatchObject({ ok: true, actual: `5 files, ${bytes} bytes, 3 folders, 2 links` });
    expect(record.checks.find((c) => c.kind === 'files-parse')).toMatchObject({ ok: true, expected: 2, actual: 2 });
    expect(record.checks.filter((c) => c.kind === 'files-check').map((c) => [c.name, c.ok])).toEqual([
      ['the config is there', true],
      ['seed data parses', true],
      ['the database host is configured', true],
      ['the second plan', true],
    ]);
    expect(record.target).toMatch(/^throwaway folder: 5 files/);
    // The throwaway folder is gone.
    expect(readdirSync(drillTemp)).toEqual([]);
  });

  it('fails the drill naming a files check that does not hold, and refuses a malformed one before downloading', async () => {
    const options = (checks: string) =>
      resolveOptions(drillOperation, objectSource({ store, name: 'app-config', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'record-drill': 'false', 'evidence-dir': tempFolder('lifeboat-evidence-'), checks }));
    const failing = await drill(options('- name: no redis section\n  path: etc/app.yaml\n  expect: contains redis.url\n'), testContext());
    expect(failing.ok).toBe(false);
    expect(failing.failure).toContain('no redis section');
    const sql = await drill(options('- sql: SELECT 1\n  expect: "= 1"\n'), testContext());
    expect(sql.ok).toBe(false);
    expect(sql.failure).toMatch(/^Drill inconclusive: Files check check 1: path: /);
    expect((sql.data as DrillRecord).phases.map((p) => p.name)).toEqual(['select']);
  });

  it('restores into an empty folder with modes and links, then refuses that folder now that it holds files', async () => {
    const target = join(tempFolder('lifeboat-files-target-'), 'restored');
    const env = cliEnv({ LIFEBOAT_IDENTITY: encryptionKey.privateKey, LIFEBOAT_SIGNING_PUBLIC_KEY: signingKey.publicKey, LIFEBOAT_TARGET_DIR: target });
    const run = await runCli(['restore', '--store', store, '--name', 'app-config'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('Restored 5 files');
    for (const [name, text] of Object.entries(SAMPLE_FILES)) expect(readFileSync(join(target, name), 'utf8')).toBe(text);
    expect(lstatSync(join(target, 'deploy/start.sh')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(target, 'deploy/nginx/site.conf')).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(target, 'deploy/empty')).isDirectory()).toBe(true);
    expect(readlinkSync(join(target, 'deploy/current.conf'))).toBe('nginx/site.conf');
    // The link out of the folder is a link, not a copy of what it pointed at.
    expect(readlinkSync(join(target, 'deploy/outside'))).toBe('/etc/hostname');
    expect(existsSync(join(target, 'SHA256SUMS'))).toBe(false);

    const context = testContext();
    const again = restore(resolveOptions(restoreOperation, objectSource({ store, name: 'app-config', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'target-dir': target })), context);
    await expect(again).rejects.toThrow(/is not empty \(3 entries\); Lifeboat does not mix a backup into existing files/);
    await expect(again).rejects.toMatchObject({ fix: expect.stringContaining('empty folder') });
    expect(context.reporter.lines.map((l) => l.message).join('\n')).not.toContain('Restoring app-config/');
  });

  it('fails the drill naming the cause when one byte of the stored payload is flipped', async () => {
    const tampered = tempFolder('lifeboat-store-');
    const source = onlyManifest(store, 'app-config');
    const copy = join(tampered, 'app-config', source.manifest.id);
    mkdirSync(copy, { recursive: true });
    for (const file of readdirSync(source.dir)) writeFileSync(join(copy, file), readFileSync(join(source.dir, file)));
    const payload = readFileSync(join(copy, 'files.tar.pgp'));
    payload[Math.floor(payload.length / 2)]! ^= 0x01;
    writeFileSync(join(copy, 'files.tar.pgp'), payload);
    const outcome = await drill(
      resolveOptions(drillOperation, objectSource({ store: tampered, name: 'app-config', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, 'record-drill': 'false', 'evidence-dir': tempFolder('lifeboat-evidence-') })),
      testContext(),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/verify failed: files\.tar\.pgp does not match its manifest: SHA-256 /);
  });
});

describe('the secret scan', () => {
  function folderWithKey(): string {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    mkdirSync(join(root, 'deploy/keys'));
    writeFileSync(join(root, 'deploy/keys/deploy_key'), `# deploy key\n${privateKeyText()}`, { mode: 0o600 });
    return root;
  }

  it('refuses a config folder with a private key, naming the file and line, never the key, and stores nothing', async () => {
    const root = folderWithKey();
    const store = tempFolder('lifeboat-store-');
    const run = await runCli(['backup', '--store', store, '--name', 'app-config', '--paths', SAMPLE_PATHS, '--files-root', root], cliEnv({ LIFEBOAT_RECIPIENTS: encryptionKey.publicKey }));
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('deploy/keys/deploy_key line 2 (OpenSSH private key)');
    expect(run.output).toContain('allow-secrets');
    expect(run.output).not.toContain('b3BlbnNzaC1rZXkt');
    expect(backupIds(store, 'app-config')).toEqual([]);
  });

  it('backs it up with allow-secrets, and the manifest says so', async () => {
    const root = folderWithKey();
    const store = tempFolder('lifeboat-store-');
    const outcome = await backup(
      resolveOptions(backupOperation, objectSource({ store, name: 'secrets', paths: SAMPLE_PATHS, 'files-root': root, 'allow-secrets': 'true', recipients: encryptionKey.publicKey })),
      testContext(),
    );
    expect(outcome.ok, outcome.failure).toBe(true);
    const { manifest } = onlyManifest(store, 'secrets');
    expect(manifest.source).toEqual({ kind: 'files', payloadFormat: 'tar', allowSecrets: true, secretFindings: 1 });
    expect(JSON.stringify(manifest)).not.toContain('b3BlbnNzaC1rZXkt');
    const drilled = await drill(resolveOptions(drillOperation, objectSource({ store, name: 'secrets', identity: encryptionKey.privateKey, 'record-drill': 'false', 'allow-unsigned': 'true', 'evidence-dir': tempFolder('lifeboat-evidence-') })), testContext());
    expect(drilled.ok, drilled.failure).toBe(true);
    expect((drilled.data as DrillRecord).checks.find((c) => c.kind === 'files-sha256')).toMatchObject({ ok: true, expected: '6 files as listed in SHA256SUMS' });
  });
});

describe('bad paths', () => {
  it.each([
    ['etc/app.yaml,etc/missing.yaml', /etc\/missing.yaml does not exist under `files-root`/],
    ['../outside', /leads outside `files-root`/],
  ])('%s: a clear error, and no manifest', async (paths, message) => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const store = tempFolder('lifeboat-store-');
    // Found by the preflight every backup runs first, before the store is written.
    const run = backup(resolveOptions(backupOperation, objectSource({ store, name: 'app-config', paths, 'files-root': root, recipients: encryptionKey.publicKey })), testContext());
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toMatchObject({ fix: expect.stringContaining('`paths`') });
    expect(backupIds(store, 'app-config')).toEqual([]);
  });
});

describe('lifeboat preflight --paths', () => {
  it('passes the source row with the files counted, and fails it naming a missing path', async () => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const store = tempFolder('lifeboat-store-');
    const env = cliEnv({ LIFEBOAT_RECIPIENTS: encryptionKey.publicKey });
    const ok = await runCli(['preflight', '--store', store, '--paths', SAMPLE_PATHS, '--files-root', root], env);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/source.*5 files \(\d+ bytes\) under data\/seed.json, deploy, etc\/app.yaml can be read/);
    const missing = await runCli(['preflight', '--store', store, '--paths', 'etc/app.yaml,nowhere.yaml', '--files-root', root], env);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('nowhere.yaml does not exist under `files-root`');
    expect(backupIds(store, 'files')).toEqual([]);
  });
});

describe('the backup and restore-drill actions with files inputs', () => {
  it('backs up from the `paths` input and drills it with inline files checks', async () => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const store = tempFolder('lifeboat-store-');
    const backedUp = await runBundledAction('backup', { store, name: 'app-config', paths: SAMPLE_PATHS, 'files-root': root, recipients: encryptionKey.publicKey, 'signing-key': signingKey.privateKey }, {}, true);
    expect(backedUp.code, backedUp.stdout + backedUp.stderr).toBe(0);
    expect(backedUp.outputs['backup-id']).toBeTruthy();
    expect(onlyManifest(store, 'app-config').manifest.source).toMatchObject({ kind: 'files', allowSecrets: false });

    const drilled = await runBundledAction('restore-drill', { store, name: 'app-config', identity: encryptionKey.privateKey, 'signing-public-key': signingKey.publicKey, checks: CHECKS, 'evidence-dir': tempFolder('lifeboat-evidence-') }, {}, true);
    expect(drilled.code, drilled.stdout + drilled.stderr).toBe(0);
    expect(drilled.outputs.verdict).toBe('pass');
  });
});
