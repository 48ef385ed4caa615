import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, countRows, listTables } from '@lifeboat/core';
import { backupOptions, freshFolder, testContext } from './backup/support.js';
import { countMap, createSample, machineClientBinDir, SAMPLE_ROWS } from './postgres/sample.js';
import { createGpgHome, type GpgHome } from './services/gpg.js';
import { startPostgres, type PgServer } from './services/postgres.js';
import { startS3, type S3Service } from './services/s3.js';
import { repoRoot } from './support/node24.js';

const run = promisify(execFile);

/** The break-glass script exactly as docs/break-glass.md shows it (`break-glass-archive`: a payload compressed inside pg_dump). */
function readmeScript(block = 'break-glass'): string {
  const readme = readFileSync(join(repoRoot, 'docs', 'break-glass.md'), 'utf8');
  const match = new RegExp(`<!-- ${block} -->\n\`\`\`sh\n([\\s\\S]*?)\`\`\`\n<!-- /${block} -->`).exec(readme);
  if (!match) throw new Error(`docs/break-glass.md has no ${block} block`);
  return match[1]!;
}

/** Replaces the value of `NAME=...` lines (the four settings an operator fills in). */
function withSettings(script: string, settings: Record<string, string>): string {
  let out = script;
  for (const [name, value] of Object.entries(settings)) {
    const pattern = new RegExp(`^${name}=\\S*`, 'm');
    expect(out, `the steps set ${name}`).toMatch(pattern);
    out = out.replace(pattern, `${name}='${value}'`);
  }
  return out;
}

/** The folder-store variant the docs describe: `cp` instead of `aws s3 cp`. */
function forFolderStore(script: string): string {
  const s3Copy = 'aws s3 cp ${ENDPOINT:+--endpoint-url "$ENDPOINT"}';
  expect(script).toContain(s3Copy);
  return script.replaceAll(s3Copy, 'cp');
}

/** A work folder holding the two key files the steps import, and an empty GnuPG home. */
async function operatorDesk(): Promise<{ work: string; home: GpgHome; settings: Record<string, string> }> {
  const work = freshFolder('lifeboat-break-glass-');
  folders.push(work);
  writeFileSync(join(work, 'signing.pub.asc'), signer.publicKeyArmored);
  writeFileSync(join(work, 'identity.asc'), gpg.secretKeyArmored);
  const home = await createGpgHome({ generateKey: false });
  homes.push(home);
  return { work, home, settings: { SIGNING_PUBLIC_KEY: 'signing.pub.asc', IDENTITY: 'identity.asc' } };
}

const homes: GpgHome[] = [];
/** Work folders hold a private key and decrypted dumps: removed after the tests. */
const folders: string[] = [];
let pg: PgServer;
let gpg: GpgHome;
let signer: GpgHome;
let s3: S3Service;

beforeAll(async () => {
  // An unprotected key, as an operator's own keyring would ask for its passphrase interactively.
  [pg, gpg, signer, s3] = await Promise.all([startPostgres(), createGpgHome({ passphrase: '' }), createGpgHome({ name: 'Backup signer', usage: 'sign' }), startS3()]);
  await createSample(pg, 'app');
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), signer?.cleanup(), s3?.stop(), ...homes.map((h) => h.cleanup())]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const signing = () => ({ 'signing-key': signer.secretKeyArmored, 'signing-key-passphrase': signer.passphrase });

describe('the break-glass restore of docs/break-glass.md', () => {
  it('restores a Lifeboat backup from an S3-compatible store with only aws, sha256sum, gpg and pg_restore, keys imported as written', async () => {
    const bucket = await s3.createBucket();
    const store = `s3://${bucket}/lifeboat`;
    const outcome = await backup(
      backupOptions({
        'database-url': pg.url('app'),
        store,
        's3-endpoint': s3.endpoint,
        's3-region': s3.region,
        's3-force-path-style': 'true',
        recipients: gpg.publicKeyArmored,
        ...signing(),
      }),
      testContext(s3.env),
    );
    expect(outcome.failure).toBeUndefined();
    await pg.createDatabase('restored');

    const { work, home, settings } = await operatorDesk();
    const script = withSettings(readmeScript(), {
      STORE: store,
      NAME: 'app',
      ID: outcome.outputs['backup-id'] as string,
      TARGET: pg.url('restored'),
      ENDPOINT: s3.endpoint,
      ...settings,
    });
    const binDir = machineClientBinDir();
    // No endpoint in the environment: the script's own --endpoint-url must reach the store.
    const { AWS_ENDPOINT_URL: _url, AWS_ENDPOINT_URL_S3: _s3url, ...awsEnv } = s3.env;
    const { AWS_ENDPOINT_URL: _u, AWS_ENDPOINT_URL_S3: _s, ...parentEnv } = process.env;
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: work,
      env: { ...parentEnv, ...awsEnv, GNUPGHOME: home.home, PATH: `${binDir}:${process.env.PATH}` },
    });
    expect(result.stderr).toContain('secret key imported');
    expect(result.stderr).toContain('Good signature from "Backup signer');
    expect(result.stdout).toContain('db.pgdump.zst.pgp: OK');

    const url = pg.url('restored');
    expect(countMap(await countRows(url, await listTables(url)))).toMatchObject(SAMPLE_ROWS);
  });

  it('restores a backup compressed inside pg_dump (compression: gzip:1) with the archive lines, verbatim: gpg --decrypt, then pg_restore', async () => {
    const folder = freshFolder();
    folders.push(folder);
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'gzip:1', ...signing() }), testContext());
    expect(outcome.failure).toBeUndefined();
    await pg.createDatabase('restored_archive');
    const desk = await operatorDesk();
    const script = forFolderStore(
      withSettings(readmeScript('break-glass-archive'), { STORE: folder, NAME: 'app', ID: outcome.outputs['backup-id'] as string, TARGET: pg.url('restored_archive'), ...desk.settings }),
    );
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: desk.work,
      env: { ...process.env, GNUPGHOME: desk.home.home, PATH: `${machineClientBinDir()}:${process.env.PATH}` },
    });
    expect(result.stderr).toContain('Good signature from "Backup signer');
    expect(result.stdout).toContain('db.pgdump.pgp: OK');
    const url = pg.url('restored_archive');
    expect(countMap(await countRows(url, await listTables(url)))).toMatchObject(SAMPLE_ROWS);
  });

  it('stops at the checksum when the stored payload was altered', async () => {
    const folder = freshFolder();
    folders.push(folder);
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, ...signing() }), testContext());
    const id = outcome.outputs['backup-id'] as string;
    const payload = join(folder, 'app', id, 'db.pgdump.zst.pgp');
    const bytes = readFileSync(payload);
    bytes[100]! ^= 0xff;
    // The folder variant of the same steps: cp instead of aws s3 cp.
    const desk = await operatorDesk();
    const script = forFolderStore(withSettings(readmeScript(), { STORE: folder, NAME: 'app', ID: id, TARGET: pg.url('never'), ...desk.settings }));
    writeFileSync(payload, bytes);
    const failure = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: desk.work, env: { ...process.env, GNUPGHOME: desk.home.home } }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stdout: string }).stdout).toContain('db.pgdump.zst.pgp: FAILED');
  });

  it('stops at the signature when the manifest was changed', async () => {
    const folder = freshFolder();
    folders.push(folder);
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, ...signing() }), testContext());
    const id = outcome.outputs['backup-id'] as string;
    const manifest = join(folder, 'app', id, 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"name": "app"', '"name": "app "'));
    const desk = await operatorDesk();
    const script = forFolderStore(withSettings(readmeScript(), { STORE: folder, NAME: 'app', ID: id, TARGET: pg.url('never'), ...desk.settings }));
    const failure = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: desk.work, env: { ...process.env, GNUPGHOME: desk.home.home } }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toContain('BAD signature');
    expect((failure as { stdout: string }).stdout).not.toContain('db.pgdump.zst.pgp: OK');
  });
});
