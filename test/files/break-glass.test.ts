/**
 * The files break-glass steps of docs/files.md, run exactly as written with only gpg, tar and
 * sha256sum (cp for the folder store) in an empty GnuPG home: every file back with its mode
 * and links; an altered payload stops at the checksum.
 */
import { execFile } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, backupOperation, generateKeyPair, objectSource, resolveOptions, type Manifest } from '@lifeboat/core';
import { breakGlass } from '../../packages/core/src/engines/files/break-glass.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { testContext } from '../redis/support.js';
import { tempFolder } from '../support/temp-folders.js';
import { SAMPLE_FILES, SAMPLE_PATHS, writeSample } from './sample.js';

const run = promisify(execFile);
const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'files.md'), 'utf8');
let gpg: GpgHome;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
const homes: GpgHome[] = [];

beforeAll(async () => {
  // An unprotected key, as an operator's own keyring would ask for its passphrase interactively.
  [gpg, signer] = await Promise.all([createGpgHome({ passphrase: '' }), generateKeyPair({ name: 'Files break-glass signing', purpose: 'sign' })]);
});
afterAll(async () => {
  await Promise.allSettled([gpg?.cleanup(), ...homes.map((h) => h.cleanup())]);
});

/** The docs' shell block for a folder store (`cp` for `aws s3 cp`), with the settings filled in. */
function steps(settings: Record<string, string>): string {
  let out = /```sh\n(STORE=[\s\S]*?)```/.exec(docs)?.[1];
  if (!out) throw new Error('docs/files.md has no break-glass sh block');
  const s3Copy = 'aws s3 cp ${ENDPOINT:+--endpoint-url "$ENDPOINT"}';
  expect(out).toContain(s3Copy);
  out = out.replaceAll(s3Copy, 'cp');
  for (const [name, value] of Object.entries(settings)) {
    const pattern = new RegExp(`^${name}=\\S*`, 'm');
    expect(out, `the steps set ${name}`).toMatch(pattern);
    out = out.replace(pattern, `${name}='${value}'`);
  }
  return out;
}

async function backedUp(): Promise<{ store: string; manifest: Manifest }> {
  const root = tempFolder('lifeboat-files-root-');
  writeSample(root);
  const store = tempFolder('lifeboat-store-');
  const outcome = await backup(
    resolveOptions(backupOperation, objectSource({ store, name: 'app-config', paths: SAMPLE_PATHS, 'files-root': root, recipients: gpg.publicKeyArmored, 'signing-key': signer.privateKey })),
    testContext(),
  );
  expect(outcome.ok, outcome.failure).toBe(true);
  const id = readdirSync(join(store, 'app-config'))[0]!;
  return { store, manifest: JSON.parse(readFileSync(join(store, 'app-config', id, 'manifest.json'), 'utf8')) as Manifest };
}

/** A work folder with the key files the steps import, and an empty GnuPG home. */
async function desk(): Promise<{ work: string; home: GpgHome }> {
  const work = tempFolder('lifeboat-break-glass-');
  writeFileSync(join(work, 'signing.pub.asc'), signer.publicKey);
  writeFileSync(join(work, 'lifeboat.key.asc'), gpg.secretKeyArmored, { mode: 0o600 });
  const home = await createGpgHome({ generateKey: false });
  homes.push(home);
  return { work, home };
}

function runSteps(script: string, work: string, home: GpgHome) {
  return run('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, env: { ...process.env, GNUPGHOME: home.home }, timeout: 120_000 });
}

describe('files break-glass restore, run exactly as written', () => {
  it('shows the steps exactly as Lifeboat generates them', () => {
    expect(docs).toContain(breakGlass({ kind: 'files' }));
  });

  it('restores every file with its mode, and links as links, with only gpg, tar and sha256sum', async () => {
    const { store, manifest } = await backedUp();
    const { work, home } = await desk();
    const target = join(work, 'files-restored');
    await runSteps(steps({ STORE: store, NAME: 'app-config', ID: manifest.id, SIGNING_PUBLIC_KEY: 'signing.pub.asc', IDENTITY: 'lifeboat.key.asc', TARGET: target }), work, home);
    for (const [name, text] of Object.entries(SAMPLE_FILES)) expect(readFileSync(join(target, name), 'utf8')).toBe(text);
    expect(lstatSync(join(target, 'deploy/start.sh')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(target, 'deploy/nginx/site.conf')).mode & 0o777).toBe(0o600);
    expect(readlinkSync(join(target, 'deploy/current.conf'))).toBe('nginx/site.conf');
    expect(readlinkSync(join(target, 'deploy/outside'))).toBe('/etc/hostname');
    // SHA256SUMS was checked, then removed; the plaintext archive too.
    expect(readdirSync(target).sort()).toEqual(['data', 'deploy', 'etc']);
    expect(readdirSync(work)).not.toContain('files.tar');
  });

  it('stops at the checksum when the stored payload was altered, before anything is decrypted', async () => {
    const { store, manifest } = await backedUp();
    const payload = join(store, 'app-config', manifest.id, 'files.tar.pgp');
    const bytes = readFileSync(payload);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(payload, bytes);
    const { work, home } = await desk();
    const failure = await runSteps(steps({ STORE: store, NAME: 'app-config', ID: manifest.id, SIGNING_PUBLIC_KEY: 'signing.pub.asc', IDENTITY: 'lifeboat.key.asc', TARGET: join(work, 'files-restored') }), work, home).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stdout: string }).stdout).toContain('files.tar.pgp: FAILED');
    expect(readdirSync(work)).not.toContain('files-restored');
  });
});
