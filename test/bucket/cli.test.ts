/**
 * A bucket through the CLI as an operator runs it: `lifeboat backup --bucket` with the bucket's
 * credentials in LIFEBOAT_BUCKET_* env vars (never flags), to a folder store, then `lifeboat
 * drill` and `lifeboat restore --target-bucket`. s3rver is the bucket.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type Manifest } from '@lifeboat/core';
import { runCli } from '../support/cli.js';
import { startS3, type S3Service } from '../services/s3.js';
import { freshFolder } from '../redis/support.js';
import { fillBucket, snapshot } from './support.js';

let s3: S3Service;
let source: string;
let key: Awaited<ReturnType<typeof generateKeyPair>>;
let expected: Map<string, string>;

beforeAll(async () => {
  [s3, key] = await Promise.all([startS3(), generateKeyPair({ name: 'Bucket CLI test' })]);
  source = await s3.createBucket();
  await fillBucket(s3.client(), source, 'in/', 40, 512 * 1024);
  expected = await snapshot(s3.client(), source, 'in/');
}, 120_000);
afterAll(async () => {
  await s3?.stop();
});

/** No AWS_* credentials: the bucket is reached with the LIFEBOAT_BUCKET_* ones alone. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR,
    AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    LIFEBOAT_BUCKET_ENDPOINT: s3.endpoint, LIFEBOAT_BUCKET_FORCE_PATH_STYLE: 'true',
    LIFEBOAT_BUCKET_ACCESS_KEY_ID: s3.accessKeyId, LIFEBOAT_BUCKET_SECRET_ACCESS_KEY: 'S3RVER',
    ...extra,
  };
}

describe('lifeboat backup --bucket, drill, restore --target-bucket', () => {
  it('backs up, drills and restores through the CLI', async () => {
    const store = freshFolder();
    const taken = await runCli(['backup', '--bucket', `s3://${source}/in`, '--store', store, '--name', 'files'], env({ LIFEBOAT_RECIPIENTS: key.publicKey }));
    expect(taken.code, taken.output).toBe(0);
    expect(taken.output).toContain('40 objects under');
    const id = readdirSync(join(store, 'files')).find((e) => /^\d{8}T/.test(e))!;
    const manifest = JSON.parse(readFileSync(join(store, 'files', id, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.source).toMatchObject({ kind: 'bucket', location: `s3://${source}/in` });

    const drilled = await runCli(['drill', '--store', store, '--name', 'files', '--allow-unsigned', 'true', '--record-drill', 'false', '--json'], env({ LIFEBOAT_IDENTITY: key.privateKey }));
    expect(drilled.code, drilled.output).toBe(0);
    expect(drilled.output).toContain('Verified 40 of 40 objects');

    const restored = await runCli(['restore', '--store', store, '--name', 'files', '--allow-unsigned', 'true', '--target-bucket', `s3://${source}/back`], env({ LIFEBOAT_IDENTITY: key.privateKey }));
    expect(restored.code, restored.output).toBe(0);
    expect(await snapshot(s3.client(), source, 'back/')).toEqual(expected);
    const again = await runCli(['restore', '--store', store, '--name', 'files', '--allow-unsigned', 'true', '--target-bucket', `s3://${source}/back`], env({ LIFEBOAT_IDENTITY: key.privateKey }));
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('already holds objects');
  }, 300_000);
});
