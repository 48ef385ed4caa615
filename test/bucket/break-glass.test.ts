/**
 * The bucket break-glass steps of docs/bucket.md, run exactly as written (settings filled in)
 * with only aws, gpg, jq and sha256sum against s3rver: every object comes back with its
 * SHA-256, and a changed stored object stops the steps at its checksum.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, backupOperation, objectSource, resolveOptions, type Manifest } from '@lifeboat/core';
import { breakGlass } from '../../packages/core/src/engines/bucket/break-glass.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startS3, type S3Service } from '../services/s3.js';
import { freshFolder, testContext } from '../redis/support.js';
import { fillBucket, flipByte, listKeys, snapshot } from './support.js';

const run = promisify(execFile);
let s3: S3Service;
let gpg: GpgHome;
let source: string;
let storeBucket: string;
let manifest: Manifest;
let expected: Map<string, string>;

beforeAll(async () => {
  [s3, gpg] = await Promise.all([startS3(), createGpgHome({ passphrase: '' })]);
  source = await s3.createBucket();
  storeBucket = await s3.createBucket();
  await fillBucket(s3.client(), source, 'p/', 25, 256 * 1024);
  expected = await snapshot(s3.client(), source, 'p/');
  const options = resolveOptions(backupOperation, objectSource({
    store: `s3://${storeBucket}/lifeboat`, 's3-endpoint': s3.endpoint, 's3-force-path-style': 'true', name: 'proofs',
    bucket: `s3://${source}/p`, 'bucket-endpoint': s3.endpoint, 'bucket-force-path-style': 'true', recipients: gpg.publicKeyArmored,
  }));
  const outcome = await backup(options, testContext(s3.env));
  expect(outcome.ok, outcome.failure).toBe(true);
  manifest = (outcome.data as { manifest: Manifest }[])[0]!.manifest;
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([s3?.stop(), gpg?.cleanup()]);
});

/** The sh block of docs/bucket.md's break-glass section, with the settings filled in. */
function documentedSteps(settings: Record<string, string>): string {
  const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'bucket.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Break-glass restore'));
  let block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/bucket.md has no break-glass sh block');
  for (const [name, value] of Object.entries(settings)) {
    const pattern = new RegExp(`^${name}=\\S*`, 'm');
    expect(block, `the steps set ${name}`).toMatch(pattern);
    block = block.replace(pattern, `${name}='${value}'`);
  }
  return block;
}

function filesUnder(folder: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result.set(path.slice(folder.length + 1), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return result;
}

describe('bucket break-glass restore, run exactly as documented', () => {
  it('documents the steps Lifeboat generates', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'bucket.md'), 'utf8');
    const generated = /```sh\n([\s\S]*?)```/.exec(breakGlass(manifest.source as never))![1];
    expect(docs).toContain(generated);
  });

  it('restores every object with only aws, gpg, jq and sha256sum', async () => {
    const work = freshFolder('lifeboat-break-glass-');
    const steps = documentedSteps({ STORE: `s3://${storeBucket}/lifeboat`, NAME: 'proofs', ID: manifest.id, OUT: join(work, 'out') });
    const output = await run('bash', ['-euo', 'pipefail', '-c', steps], { cwd: work, env: { ...process.env, ...s3.env, GNUPGHOME: gpg.home }, timeout: 300_000 });
    expect(output.stdout).toContain(`restored ${expected.size} objects`);
    expect(filesUnder(join(work, 'out'))).toEqual(expected);
  }, 300_000);

  it('stops at the checksum of an object whose stored bytes were changed', async () => {
    const blob = (await listKeys(s3.client(), storeBucket, `lifeboat/proofs/objects/`))[3]!;
    await flipByte(s3.client(), storeBucket, blob);
    const work = freshFolder('lifeboat-break-glass-');
    const steps = documentedSteps({ STORE: `s3://${storeBucket}/lifeboat`, NAME: 'proofs', ID: manifest.id, OUT: join(work, 'out') });
    const failure = (await run('bash', ['-euo', 'pipefail', '-c', steps], { cwd: work, env: { ...process.env, ...s3.env, GNUPGHOME: gpg.home }, timeout: 300_000 }).catch((error: unknown) => error)) as { code?: number; stdout: string; stderr: string };
    expect(failure.code).not.toBe(0);
    expect(`${failure.stdout}${failure.stderr}`).toMatch(/object\.pgp: FAILED/);
  }, 300_000);
});
