import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakGlass } from '../../packages/core/src/engines/redis/break-glass.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';
import { generateKeyPair } from '@lifeboat/core';
import { ageKeygen } from '../services/age.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startRedis, type RedisServer, type TestClient } from '../services/redis.js';
import { startS3, type S3Service } from '../services/s3.js';
import { fillSample, snapshotOf } from './sample.js';
import { backupRedis, freshFolder, testContext } from './support.js';

const run = promisify(execFile);
let source: RedisServer;
let gpg: GpgHome;
let s3: S3Service;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
const homes: GpgHome[] = [];
let sourceSnapshot: Awaited<ReturnType<typeof snapshotOf>>;
const folders: string[] = [];

beforeAll(async () => {
  // An unprotected key, as an operator's own keyring would ask for its passphrase interactively.
  [source, gpg, s3, signer] = await Promise.all([
    startRedis({ password: 'bg-pass' }),
    createGpgHome({ passphrase: '' }),
    startS3(),
    generateKeyPair({ name: 'Redis break-glass signing', purpose: 'sign' }),
  ]);
  await fillSample(source);
  const client = await source.client();
  sourceSnapshot = await snapshotOf(client);
  await client.close();
});
afterAll(async () => {
  await Promise.allSettled([source?.stop(), gpg?.cleanup(), s3?.stop(), ...homes.map((h) => h.cleanup())]);
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

/** The one shell block of the break-glass Markdown, with the settings filled in. */
function script(markdown: string, settings: Record<string, string>): string {
  const block = /```sh\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('the break-glass steps have no sh block');
  let out = block;
  for (const [name, value] of Object.entries(settings)) {
    const pattern = new RegExp(`^${name}=\\S*`, 'm');
    expect(out, `the steps set ${name}`).toMatch(pattern);
    out = out.replace(pattern, `${name}='${value}'`);
  }
  return out;
}

/** A work folder holding the key files the steps import, and an empty GnuPG home, as on an operator's desk. */
async function operatorDesk(identity: string, identityFile: string): Promise<{ work: string; home: GpgHome; settings: Record<string, string> }> {
  const work = freshFolder('lifeboat-break-glass-');
  folders.push(work);
  writeFileSync(join(work, 'signing.pub.asc'), signer.publicKey);
  writeFileSync(join(work, identityFile), identity, { mode: 0o600 });
  const home = await createGpgHome({ generateKey: false });
  homes.push(home);
  return { work, home, settings: { SIGNING_PUBLIC_KEY: 'signing.pub.asc', IDENTITY: identityFile } };
}

async function runSteps(steps: string, work: string, home: GpgHome, env: Record<string, string>) {
  return run('bash', ['-euo', 'pipefail', '-c', steps], { cwd: work, env: { ...process.env, ...env, GNUPGHOME: home.home }, timeout: 120_000 });
}

/** The folder-store variant the steps describe: `cp` instead of `aws s3 cp`. */
function forFolderStore(steps: string): string {
  const s3Copy = 'aws s3 cp ${ENDPOINT:+--endpoint-url "$ENDPOINT"}';
  expect(steps).toContain(s3Copy);
  return steps.replaceAll(s3Copy, 'cp');
}

const signing = () => ({ signingKey: signer.privateKey });

/** Stops the server the steps started, if they got that far. */
function stopStarted(work: string): void {
  const pidFile = join(work, 'redis-restored.pid');
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
  } catch {
    // already gone
  }
}

async function restoredSnapshot(port: number) {
  const { createClient } = await import('@redis/client');
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    return await snapshotOf(client as unknown as TestClient);
  } finally {
    await client.close();
  }
}

describe('Redis break-glass restore, run exactly as written', () => {
  it.each(['none', 'zstd'] as const)('restores a backup (compression %s) with only aws, sha256sum, gpg, zstd, redis-check-rdb and redis-server', async (compression) => {
    const bucket = await s3.createBucket();
    const store = `s3://${bucket}/lifeboat`;
    const result = await backupRedis(
      { url: source.url(), compression, recipients: gpg.publicKeyArmored, signing: signing(), store: { store, s3Endpoint: s3.endpoint, s3Region: s3.region, s3ForcePathStyle: true } },
      testContext(s3.env),
    );
    const desk = await operatorDesk(gpg.secretKeyArmored, 'identity.asc');
    const work = desk.work;
    const port = await freeLoopbackPort();
    // The endpoint goes in as ENDPOINT; path-style addressing is the aws CLI's own setting, as the docs say.
    const steps = script(breakGlass(result.manifest.source), { ...desk.settings, STORE: store, NAME: 'cache', ID: result.manifest.id, ENDPOINT: s3.endpoint, DATA: join(work, 'data'), PORT: String(port) });
    try {
      // Without the harness's endpoint variables, so the ENDPOINT setting is what reaches the peer.
      const { AWS_ENDPOINT_URL: _url, AWS_ENDPOINT_URL_S3: _s3url, ...awsEnv } = s3.env;
      const output = await runSteps(steps, work, desk.home, awsEnv);
      expect(output.stderr).toMatch(/Good signature/);
      expect(output.stdout).toMatch(/\.pgp: OK/);
      expect(output.stdout).toMatch(/RDB looks OK/);
      expect(await restoredSnapshot(port)).toEqual(sourceSnapshot);
    } finally {
      stopStarted(work);
    }
  });

  it('stops at the checksum when the stored payload was altered', async () => {
    const folder = freshFolder();
    folders.push(folder);
    const result = await backupRedis({ url: source.url(), recipients: gpg.publicKeyArmored, signing: signing(), store: { store: folder } });
    const payload = join(folder, 'cache', result.manifest.id, 'dump.rdb.pgp');
    const bytes = readFileSync(payload);
    bytes[200]! ^= 0xff;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(payload, bytes);
    const desk = await operatorDesk(gpg.secretKeyArmored, 'identity.asc');
    const work = desk.work;
    const steps = forFolderStore(script(breakGlass(result.manifest.source), { ...desk.settings, STORE: folder, NAME: 'cache', ID: result.manifest.id, DATA: join(work, 'data'), PORT: String(await freeLoopbackPort()) }));
    const failure = await runSteps(steps, work, desk.home, {}).catch((error: { code: number; stdout: string }) => error);
    stopStarted(work);
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stdout: string }).stdout).toContain('dump.rdb.pgp: FAILED');
    expect(existsSync(join(work, 'data', 'dump.rdb'))).toBe(false);
  });

  it('stops at the signature when the manifest was altered, before anything is decrypted', async () => {
    const folder = freshFolder();
    folders.push(folder);
    const result = await backupRedis({ url: source.url(), recipients: gpg.publicKeyArmored, signing: signing(), store: { store: folder } });
    const manifestPath = join(folder, 'cache', result.manifest.id, 'manifest.json');
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"redis"', '"redis" '));
    const desk = await operatorDesk(gpg.secretKeyArmored, 'identity.asc');
    const steps = forFolderStore(script(breakGlass(result.manifest.source), { ...desk.settings, STORE: folder, NAME: 'cache', ID: result.manifest.id, DATA: join(desk.work, 'data'), PORT: String(await freeLoopbackPort()) }));
    const failure = await runSteps(steps, desk.work, desk.home, {}).catch((error: { code: number; stderr: string }) => error);
    stopStarted(desk.work);
    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toMatch(/BAD signature/);
    expect(existsSync(join(desk.work, 'data'))).toBe(false);
  });

  it('restores an age backup with age -d and the age identity file', async () => {
    const key = ageKeygen();
    const folder = freshFolder();
    folders.push(folder);
    const result = await backupRedis({ url: source.url(), encryption: 'age', recipients: key.recipient, signing: signing(), store: { store: folder } });
    expect(result.manifest.encryption.scheme).toBe('age');
    const desk = await operatorDesk(key.keyFile, 'key.txt');
    const port = await freeLoopbackPort();
    const steps = forFolderStore(script(breakGlass(result.manifest.source, 'age'), { ...desk.settings, STORE: folder, NAME: 'cache', ID: result.manifest.id, DATA: join(desk.work, 'data'), PORT: String(port) }));
    try {
      const output = await runSteps(steps, desk.work, desk.home, {});
      expect(output.stdout).toMatch(/dump\.rdb\.age: OK/);
      expect(await restoredSnapshot(port)).toEqual(sourceSnapshot);
    } finally {
      stopStarted(desk.work);
    }
  });
});

describe('the Redis docs', () => {
  it('show the break-glass steps exactly as Lifeboat generates them (the ones run above)', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'redis.md'), 'utf8');
    const section = docs.slice(docs.indexOf('### Break-glass restore'));
    const documented = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    const generated = /```sh\n([\s\S]*?)```/.exec(breakGlass({ kind: 'redis', mode: 'rdb', pointInTime: true, payloadFormat: 'rdb', serverVersion: '7.0.15', serverMajor: 7, rdbVersion: 10, tls: false, compression: 'none', transfer: 'eof-marker' }))?.[1];
    expect(documented).toBeDefined();
    expect(documented).toBe(generated);
  });
});
