import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createContext,
  describeError,
  InvalidKeyError,
  LocalStore,
  MemoryReporter,
  ObjectNotFoundError,
  openStore,
  StorageFullError,
  UploadCancelledError,
  type Store,
} from '@lifeboat/core';
import { listAll } from './helpers.js';

/** Every file under a folder, recursively, as relative paths (temp files included). */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

/** A stream that yields `before` bytes and then fails. */
function failingStream(before: number, message: string): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(randomBytes(before));
        return;
      }
      this.destroy(new Error(message));
    },
  });
}

const roots: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lifeboat-local-'));
  roots.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of roots) rmSync(folder, { recursive: true, force: true });
});

describe('local store', () => {
  let folder: string;
  let store: Store;
  let reporter: MemoryReporter;

  beforeEach(async () => {
    folder = join(freshFolder(), 'backups');
    reporter = new MemoryReporter();
    store = await openStore({ store: folder }, createContext(reporter, 'cli', {}));
  });

  it('round-trips put, head, get, list and delete, creating folders as needed', async () => {
    expect(store).toBeInstanceOf(LocalStore);
    expect(store.kind).toBe('local');
    expect(store.location).toBe(folder);
    const payload = randomBytes(300_000);
    const put = await store.put('db/20260101T000000Z-aaaa/db.pgdump.pgp', Readable.from([payload]));
    expect(put).toEqual({ key: 'db/20260101T000000Z-aaaa/db.pgdump.pgp', size: payload.length });
    await store.put('db/20260101T000000Z-aaaa/manifest.json', Readable.from(['{"format":1}']));
    await store.put('db/drills/d1.json', Readable.from(['{}']));
    await store.put('other/x', Readable.from(['x']));

    expect(readFileSync(join(folder, 'db/20260101T000000Z-aaaa/db.pgdump.pgp')).equals(payload)).toBe(true);
    const head = await store.head('db/20260101T000000Z-aaaa/manifest.json');
    expect(head).toMatchObject({ key: 'db/20260101T000000Z-aaaa/manifest.json', size: 12 });
    expect(head?.lastModified).toBeInstanceOf(Date);
    expect(await text(await store.get('db/20260101T000000Z-aaaa/manifest.json'))).toBe('{"format":1}');

    expect((await listAll(store)).map((o) => [o.key, o.size])).toEqual([
      ['db/20260101T000000Z-aaaa/db.pgdump.pgp', payload.length],
      ['db/20260101T000000Z-aaaa/manifest.json', 12],
      ['db/drills/d1.json', 2],
      ['other/x', 1],
    ]);
    expect((await listAll(store, 'db/')).map((o) => o.key)).toHaveLength(3);
    expect((await listAll(store, 'db/2026')).map((o) => o.key)).toEqual([
      'db/20260101T000000Z-aaaa/db.pgdump.pgp',
      'db/20260101T000000Z-aaaa/manifest.json',
    ]);
    expect(await listAll(store, 'd')).toHaveLength(3);
    expect(await listAll(store, 'nothing/')).toEqual([]);

    const removed = await store.delete(['db/20260101T000000Z-aaaa/db.pgdump.pgp', 'db/20260101T000000Z-aaaa/manifest.json', 'never/was']);
    expect(removed).toEqual({
      deleted: ['db/20260101T000000Z-aaaa/db.pgdump.pgp', 'db/20260101T000000Z-aaaa/manifest.json', 'never/was'],
      failed: [],
    });
    expect(await store.head('db/20260101T000000Z-aaaa/manifest.json')).toBeUndefined();
    // The emptied backup folder goes too; the store's own folder stays.
    expect(existsSync(join(folder, 'db/20260101T000000Z-aaaa'))).toBe(false);
    expect(existsSync(join(folder, 'db/drills/d1.json'))).toBe(true);
  });

  it('replaces an existing object whole', async () => {
    await store.put('k', Readable.from(['first version, longer']));
    await store.put('k', Readable.from(['second']));
    expect(await text(await store.get('k'))).toBe('second');
  });

  it('stores an empty object', async () => {
    expect(await store.put('empty', Readable.from([]))).toEqual({ key: 'empty', size: 0 });
    expect(await store.head('empty')).toMatchObject({ size: 0 });
  });

  it('lists an absent folder as empty, and a missing key is a clear NotFound', async () => {
    expect(await listAll(store)).toEqual([]);
    expect(await store.head('db/x/manifest.json')).toBeUndefined();
    const error = await store.get('db/x/manifest.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect(describeError(error)).toBe(
      `No object 'db/x/manifest.json' in ${folder}. Check \`store\` and \`name\`, and that the backup was not pruned or expired.`,
    );
  });

  it('finds a folder where an object was asked for: not found, not a crash', async () => {
    await store.put('a/b', Readable.from(['x']));
    await expect(store.get('a')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.head('a')).toBeUndefined();
  });

  it.each(['', '/abs', 'a//b', 'a/../b', './a', 'a/', 'a\\b', 'a\nb'])('refuses the key %j', async (key) => {
    const body = Readable.from(['x']);
    await expect(store.put(key, body)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(body.destroyed).toBe(true); // its producer is told, not left waiting
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('reports per-key delete failures and still deletes the rest', async () => {
    await store.put('dir/inner', Readable.from(['x']));
    await store.put('plain', Readable.from(['x']));
    const result = await store.delete(['dir', '../escape', 'plain']);
    expect(result.deleted).toEqual(['plain']);
    expect(result.failed.map((f) => f.key)).toEqual(['dir', '../escape']);
    expect(result.failed[0]!.reason).toMatch(/EISDIR|EPERM|directory/i);
    expect(result.failed[1]!.reason).toContain("'..'");
    expect(existsSync(join(folder, 'dir/inner'))).toBe(true);
  });

  it('a failing input stream leaves no file, final or temporary, and rejects with the input’s error', async () => {
    const error = await store.put('db/b1/db.pgdump.pgp', failingStream(200_000, 'pg_dump exited with status 1')).catch((e: unknown) => e);
    expect((error as Error).message).toBe('pg_dump exited with status 1');
    expect(filesUnder(folder)).toEqual([]);
    expect(await listAll(store)).toEqual([]);
  });

  it('a cancelled upload leaves nothing and says it was cancelled', async () => {
    const controller = new AbortController();
    let pushed = 0;
    const endless = new Readable({
      read() {
        this.push(randomBytes(64 * 1024));
        if (++pushed === 4) controller.abort();
      },
    });
    const error = await store.put('db/b2/db.pgdump.pgp', endless, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadCancelledError);
    expect(endless.destroyed).toBe(true);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('hides temp files of uploads in progress from listings', async () => {
    mkdirSync(join(folder, 'db'), { recursive: true });
    writeFileSync(join(folder, 'db', '.manifest.json.0123456789ab.partial'), 'half');
    await store.put('db/manifest.json', Readable.from(['{}']));
    expect((await listAll(store)).map((o) => o.key)).toEqual(['db/manifest.json']);
  });

  it('accepts file:// URLs and relative folders', async () => {
    const context = createContext(new MemoryReporter(), 'cli', {});
    const viaUrl = await openStore({ store: `file://${folder}` }, context);
    await viaUrl.put('x', Readable.from(['1']));
    expect(viaUrl.location).toBe(folder);
    expect(await text(await store.get('x'))).toBe('1');
  });

  it('warns about S3 or artifact options given with a folder', async () => {
    await openStore({ store: folder, s3Region: 'eu-west-1', artifactRetentionDays: 5 }, createContext(reporter, 'cli', {}));
    expect(reporter.lines).toContainEqual({
      level: 'warning',
      message: '`s3-region`, `artifact-retention-days` do not apply to a local store and are ignored.',
    });
  });
});

describe('local store on a full disk', () => {
  let mountPoint: string | undefined;
  let skipReason: string | undefined;

  beforeEach(() => {
    const candidate = freshFolder();
    // A 1 MiB tmpfs: needs root (or CAP_SYS_ADMIN); sudo -n where a password-less sudo exists.
    for (const command of [['mount'], ['sudo', '-n', 'mount']]) {
      const run = spawnSync(command[0]!, [...command.slice(1), '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', candidate], {
        encoding: 'utf8',
      });
      if (run.status === 0) {
        mountPoint = candidate;
        if (command[0] === 'sudo') spawnSync('sudo', ['-n', 'chmod', '777', candidate]);
        return;
      }
      skipReason = run.stderr || run.error?.message;
    }
  });
  afterEach(() => {
    if (!mountPoint) return;
    const run = spawnSync('umount', [mountPoint]);
    if (run.status !== 0) spawnSync('sudo', ['-n', 'umount', mountPoint]);
    mountPoint = undefined;
  });

  it('names the folder, says to free space, and leaves no temp file', async (ctx) => {
    if (!mountPoint) {
      ctx.skip(`cannot mount a small tmpfs here: ${skipReason}`);
      return;
    }
    const store = await openStore({ store: mountPoint }, createContext(new MemoryReporter(), 'cli', {}));
    await store.put('fits', Readable.from([randomBytes(100_000)]));
    const error = await store
      .put('db/b1/db.pgdump.pgp', Readable.from((function* () {
        for (let i = 0; i < 32; i++) yield randomBytes(64 * 1024); // 2 MiB into 1 MiB
      })()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as StorageFullError).code).toBe('storage-full');
    expect(describeError(error)).toBe(
      `No space left in ${mountPoint} while writing 'db/b1/db.pgdump.pgp'; the partial file was removed. Free space on that disk or choose another store.`,
    );
    expect(filesUnder(mountPoint)).toEqual(['fits']);
    expect((await listAll(store)).map((o) => o.key)).toEqual(['fits']);
  });
});
