import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactName,
  createContext,
  describeError,
  keyFromArtifactName,
  MemoryReporter,
  ObjectNotFoundError,
  openStore,
  OptionError,
  StorageError,
  UnsupportedError,
  type RunContext,
} from '@lifeboat/core';
import { artifactDigest, startArtifactServicePeer, useArtifactPeerEnvironment, type ArtifactServicePeer } from './artifact-service-peer.js';
import { failure, listAll } from './helpers.js';

describe('artifact names', () => {
  it('maps prefix and key to a name GitHub accepts, and back', () => {
    const name = artifactName('lifeboat', 'db/20260101T020000Z-k3x9/manifest.json');
    expect(name).toBe('lifeboat%2Fdb%2F20260101T020000Z-k3x9%2Fmanifest.json');
    expect(keyFromArtifactName('lifeboat', name)).toBe('db/20260101T020000Z-k3x9/manifest.json');
    expect(artifactName('', 'a:b|c%d')).toBe('a%3Ab%7Cc%25d');
    expect(artifactName('team/db', 'x')).toBe('team%2Fdb%2Fx');
  });

  it('ignores names it could not have made, and names under other prefixes', () => {
    expect(keyFromArtifactName('lifeboat', 'coverage-report')).toBeUndefined();
    expect(keyFromArtifactName('lifeboat', 'lifeboat%2F')).toBeUndefined();
    expect(keyFromArtifactName('lifeboat', 'lifeboat%2Fa%41')).toBeUndefined(); // %41 is not an escape we write
    expect(keyFromArtifactName('lifeboat', 'lifeboat%2')).toBeUndefined();
    expect(keyFromArtifactName('other', artifactName('lifeboat', 'x'))).toBeUndefined();
    expect(keyFromArtifactName('life', artifactName('lifeboat', 'x'))).toBeUndefined();
  });

  it('round-trips every valid key, and never emits a character GitHub refuses', () => {
    // Characters that need escaping, beside ordinary and non-ASCII ones.
    const unit = fc.constantFrom(...'aZ0.-_ %":<>|*?é日'.split(''));
    const segment = fc.string({ minLength: 1, maxLength: 8, unit }).filter((s) => s !== '.' && s !== '..');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(fc.oneof(fc.constant(''), path), path, (prefix, key) => {
        const name = artifactName(prefix, key);
        expect(name).not.toMatch(/["/:<>|*?\\\r\n]/);
        expect(keyFromArtifactName(prefix, name)).toBe(key);
      }),
    );
  });
});

describe('artifact store outside a JavaScript action', () => {
  it.each(['cli', 'library'] as const)('is refused on the %s surface, pointing to s3:// or a folder', async (surface) => {
    const context = createContext(new MemoryReporter(), surface, { ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_RESULTS_URL: 'http://x' });
    const error = await failure(openStore({ store: 'artifact://lifeboat' }, context));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(describeError(error)).toBe(
      '`artifact://` stores work only inside the Lifeboat actions: GitHub gives its artifact token to JavaScript actions only. From the CLI (or a `run:` step), use `s3://bucket/prefix` or a folder.',
    );
  });

  it('is refused in an action step that has no artifact runtime, naming what is missing', async () => {
    const context = createContext(new MemoryReporter(), 'action', { ACTIONS_RESULTS_URL: 'http://x' });
    const error = await failure(openStore({ store: 'artifact://lifeboat' }, context));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(describeError(error)).toContain('ACTIONS_RUNTIME_TOKEN is not set here');
  });

  it('is refused on GitHub Enterprise Server', async () => {
    const env = { ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_RESULTS_URL: 'http://x', GITHUB_SERVER_URL: 'https://github.example.com' };
    const error = await failure(openStore({ store: 'artifact://lifeboat' }, createContext(new MemoryReporter(), 'action', env)));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(describeError(error)).toContain('GitHub Enterprise Server');
  });

  it('refuses a retention outside 1 to 90 days', async () => {
    const env = { ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_RESULTS_URL: 'http://x' };
    const error = await failure(
      openStore({ store: 'artifact://lifeboat', artifactRetentionDays: 91 }, createContext(new MemoryReporter(), 'action', env)),
    );
    expect(error).toBeInstanceOf(OptionError);
    expect(error.message).toContain('1 to 90 days');
  });
});

describe('artifact store against a protocol-level peer of the artifact service', () => {
  let peer: ArtifactServicePeer;
  let tempDir: string;
  let context: RunContext;
  let restoreEnvironment: (() => void) | undefined;

  beforeAll(async () => {
    peer = await startArtifactServicePeer();
    tempDir = mkdtempSync(join(tmpdir(), 'lifeboat-artifact-test-'));
    restoreEnvironment = useArtifactPeerEnvironment(peer, tempDir);
    context = { ...createContext(new MemoryReporter(), 'action', process.env), tempDir };
  });
  afterAll(async () => {
    restoreEnvironment?.();
    await peer?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('probes: the service answers, and a probe artifact is uploaded, read back and deleted', async () => {
    const store = await openStore({ store: 'artifact://probe-test' }, context);
    const before = peer.artifacts.size;
    expect(await store.probe({ write: true })).toEqual({
      notes: ['`artifact://` sees only this workflow run\'s artifacts: without `artifact-token`, backups made by other runs are invisible here.'],
    });
    expect(peer.artifacts.size).toBe(before);
    expect(await listAll(store)).toEqual([]);
    expect(readdirSync(tempDir).filter((f) => f.startsWith('lifeboat-artifact-'))).toEqual([]);
  });

  it('round-trips put, head, list, get and delete, one unzipped artifact per object', async () => {
    const store = await openStore({ store: 'artifact://lifeboat', artifactRetentionDays: 5 }, context);
    expect(store.kind).toBe('github-artifact');
    expect(store.location).toBe('artifact://lifeboat');

    const payload = randomBytes(3 * 1024 * 1024 + 17);
    expect(await store.put('db/20260101T020000Z-k3x9/db.pgdump.pgp', Readable.from([payload]))).toEqual({
      key: 'db/20260101T020000Z-k3x9/db.pgdump.pgp',
      size: payload.length,
    });
    await store.put('db/20260101T020000Z-k3x9/manifest.json', Readable.from(['{"format":1}']));
    await store.put('other/x.json', Readable.from(['{}']));

    const stored = peer.artifacts.get('lifeboat%2Fdb%2F20260101T020000Z-k3x9%2Fdb.pgdump.pgp')!;
    expect(stored.content.equals(payload)).toBe(true); // the bytes themselves, not a zip
    expect(stored.digest).toBe(artifactDigest(payload));
    const expires = Date.parse(stored.expiresAt!);
    expect(Math.round((expires - Date.now()) / 86_400_000)).toBe(5);

    expect(await store.head('db/20260101T020000Z-k3x9/manifest.json')).toMatchObject({ size: 12 });
    expect(await store.head('db/none')).toBeUndefined();
    expect((await listAll(store, 'db/')).map((o) => [o.key, o.size])).toEqual([
      ['db/20260101T020000Z-k3x9/db.pgdump.pgp', payload.length],
      ['db/20260101T020000Z-k3x9/manifest.json', 12],
    ]);

    const back = Buffer.concat((await (await store.get('db/20260101T020000Z-k3x9/db.pgdump.pgp')).toArray()) as Buffer[]);
    expect(back.equals(payload)).toBe(true);
    expect(await text(await store.get('db/20260101T020000Z-k3x9/manifest.json'))).toBe('{"format":1}');

    expect(await store.delete(['db/20260101T020000Z-k3x9/manifest.json', 'db/never-was'])).toEqual({
      deleted: ['db/20260101T020000Z-k3x9/manifest.json', 'db/never-was'],
      failed: [],
    });
    expect(await store.head('db/20260101T020000Z-k3x9/manifest.json')).toBeUndefined();
    expect(await failure(store.get('db/20260101T020000Z-k3x9/manifest.json'))).toBeInstanceOf(ObjectNotFoundError);
    // Temp files of uploads and downloads are gone.
    expect(readdirSync(tempDir).filter((f) => f.startsWith('lifeboat-artifact-'))).toEqual([]);
  });

  it('refuses to overwrite: artifacts are immutable', async () => {
    const store = await openStore({ store: 'artifact://immutable' }, context);
    await store.put('k', Readable.from(['one']));
    const error = await failure(store.put('k', Readable.from(['two'])));
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('artifact-exists');
    expect(await text(await store.get('k'))).toBe('one');
  });

  it('a failing input stream creates no artifact and leaves no temp file', async () => {
    const store = await openStore({ store: 'artifact://failing' }, context);
    const calls = peer.calls.length;
    const input = new Readable({
      read() {
        this.destroy(new Error('pg_dump exited with status 1'));
      },
    });
    const error = await failure(store.put('k', input));
    expect(error.message).toBe('pg_dump exited with status 1');
    expect(peer.calls.slice(calls).filter((c) => c === 'CreateArtifact')).toEqual([]);
    expect(await listAll(store)).toEqual([]);
    expect(readdirSync(tempDir).filter((f) => f.startsWith('lifeboat-artifact-'))).toEqual([]);
  });
});
