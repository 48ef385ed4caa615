import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clearSecretsForTests,
  createContext,
  describeError,
  MemoryReporter,
  openStore,
  S3AccessDeniedError,
  S3BucketNotFoundError,
  StoreFolderMissingError,
  StoreNotAFolderError,
  StoragePermissionError,
  StoreUnreachableError,
  type StoreOptions,
} from '@lifeboat/core';
import { startS3, type S3Service } from '../services/s3.js';
import { s3Error, startS3Peer, type PeerRequest, type PeerResponse, type S3Peer } from './s3-peer.js';
import { failure, listAll } from './helpers.js';

const context = () => createContext(new MemoryReporter(), 'cli', {});
afterEach(() => clearSecretsForTests());

describe('probing a folder store', () => {
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-probe-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a missing folder is an error naming the folder and `create-store`, and nothing is created', async () => {
    const folder = join(root, 'typo', 'backups');
    const store = await openStore({ store: folder }, context());
    const error = await failure(store.probe({ write: true }));
    expect(error).toBeInstanceOf(StoreFolderMissingError);
    expect(describeError(error)).toBe(
      `The store folder ${folder} does not exist. Check \`store\` for a typo; create the folder (\`mkdir -p ${folder}\`), or set \`create-store: true\` to have the backup create it.`,
    );
    expect(existsSync(join(root, 'typo'))).toBe(false);
  });

  it('with `create`, a missing folder is created and said so', async () => {
    const folder = join(root, 'made', 'here');
    const store = await openStore({ store: folder }, context());
    const result = await store.probe({ write: true, create: true });
    expect(result.notes).toEqual([`Created the store folder ${folder} (\`create-store: true\`).`]);
    // The probe object was written, read back and removed.
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a file where the folder should be, or above it, is named', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const atStore = await failure((await openStore({ store: file }, context())).probe());
    expect(atStore).toBeInstanceOf(StoreNotAFolderError);
    expect(describeError(atStore)).toBe(`The store ${file} is a file, not a folder. Point \`store\` at a folder, or move the file out of the way.`);
    const below = join(file, 'deeper', 'store');
    const above = await failure((await openStore({ store: below }, context())).probe({ create: true }));
    expect(above).toBeInstanceOf(StoreNotAFolderError);
    expect(above.message).toBe(`The store ${below} cannot be a folder: ${file} is a file.`);
  });

  it.skipIf(process.getuid?.() === 0)('a folder the user may not write is refused', async () => {
    const folder = join(root, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o500);
    try {
      expect(await failure((await openStore({ store: folder }, context())).probe())).toBeInstanceOf(StoragePermissionError);
    } finally {
      chmodSync(folder, 0o700);
    }
  });

  it('an existing folder passes, and the write probe leaves nothing behind', async () => {
    const folder = join(root, 'ok');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep'), 'x');
    const store = await openStore({ store: folder }, context());
    expect(await store.probe({ write: true })).toEqual({ notes: [] });
    expect(readdirSync(folder)).toEqual(['keep']);
  });
});

describe('probing an S3 store against s3rver', () => {
  let s3: S3Service;
  let bucket: string;
  beforeAll(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const options = (store: string, endpoint = s3.endpoint): StoreOptions => ({ store, s3Endpoint: endpoint, s3ForcePathStyle: true });
  const open = (store: string, endpoint?: string) =>
    openStore(options(store, endpoint), createContext(new MemoryReporter(), 'cli', { ...s3.env }));

  it('a missing bucket is named before anything is written', async () => {
    const error = await failure((await open('s3://no-such-bucket/x')).probe({ write: true }));
    expect(error).toBeInstanceOf(S3BucketNotFoundError);
    expect(error.message).toBe(`Bucket 'no-such-bucket' does not exist at ${s3.endpoint}.`);
  });

  it('an unreachable endpoint is named', async () => {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => done(port));
      });
    });
    const error = await failure((await open(`s3://${bucket}/x`, `http://127.0.0.1:${port}`)).probe());
    expect(error).toBeInstanceOf(StoreUnreachableError);
    expect(error.message).toBe(`Cannot reach the store at http://127.0.0.1:${port} (ECONNREFUSED).`);
  });

  it('a bucket that exists passes the write probe and keeps no probe object', async () => {
    const store = await open(`s3://${bucket}/probe-prefix`);
    expect(await store.probe({ write: true })).toEqual({ notes: [] });
    expect(await listAll(store)).toEqual([]);
  });
});

describe('probing an S3 store against a protocol-level S3 peer (access refusals s3rver cannot make)', () => {
  let peer: S3Peer;
  let answer: (request: PeerRequest) => PeerResponse;
  const env = { AWS_ACCESS_KEY_ID: 'AKIDPEER', AWS_SECRET_ACCESS_KEY: 'peer-secret-key-value', AWS_REGION: 'us-east-1' };
  beforeAll(async () => {
    peer = await startS3Peer((request) => answer(request));
  });
  afterAll(async () => {
    await peer?.close();
  });
  const open = () =>
    openStore({ store: 's3://locked/app', s3Endpoint: peer.endpoint, s3ForcePathStyle: true }, createContext(new MemoryReporter(), 'cli', env));

  it('no access at all (403): the probe fails naming the permission, and nothing is uploaded', async () => {
    answer = () => s3Error(403, 'AccessDenied', 'Access Denied');
    peer.requests.length = 0;
    const error = await failure((await open()).probe({ write: true }));
    expect(error).toBeInstanceOf(S3AccessDeniedError);
    expect(describeError(error)).toContain('s3:PutObject on arn:aws:s3:::locked/app/.lifeboat-probe-');
    expect(peer.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
  });

  it('write-only credentials pass, with notes saying what they cannot do', async () => {
    answer = (request) =>
      request.method === 'PUT' ? { status: 200, headers: { etag: '"x"' } } : request.method === 'DELETE' ? { status: 204 } : s3Error(403, 'AccessDenied', 'Access Denied');
    const result = await (await open()).probe({ write: true });
    expect(result.notes).toEqual([
      'The credentials may not list s3://locked/app (s3:ListBucket): retention, drills and the gate need it.',
      'The credentials may not read s3://locked/app (s3:GetObject): drills and restores need other credentials.',
    ]);
  });
});
