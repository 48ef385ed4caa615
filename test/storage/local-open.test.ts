import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStore, ObjectNotFoundError } from '../../packages/core/src/storage/index.js';

describe('local store: opening an object where it lies', () => {
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-local-open-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('opens the object file itself, for positional reads, and the caller closes it', async () => {
    const store = new LocalStore(join(root, 'a'));
    await store.put('app/20260101T000000Z-aaaaaa/db.pgdump.pgp', Readable.from([Buffer.from('stored bytes')]));
    const handle = await store.openLocal('app/20260101T000000Z-aaaaaa/db.pgdump.pgp');
    try {
      const buffer = Buffer.alloc(5);
      await handle.read(buffer, 0, 5, 7);
      expect(buffer.toString()).toBe('bytes');
      expect((await handle.stat()).size).toBe(12);
    } finally {
      await handle.close();
    }
  });

  it('a missing object, a folder at the key and a path outside the store are refused as for get', async () => {
    const store = new LocalStore(join(root, 'b'));
    mkdirSync(join(root, 'b', 'app', 'folder'), { recursive: true });
    writeFileSync(join(root, 'b', 'app', 'file'), 'x');
    for (const key of ['app/missing', 'app/folder', 'app/file/below']) {
      const opened = await store.openLocal(key).then(
        () => 'opened',
        (error: unknown) => error,
      );
      expect(opened, key).toBeInstanceOf(ObjectNotFoundError);
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    }
    const outside = await store.openLocal('../escape').catch((error: unknown) => error);
    const viaGet = await store.get('../escape').catch((error: unknown) => error);
    expect((outside as Error).constructor).toBe((viaGet as Error).constructor);
    expect((outside as Error).message).toBe((viaGet as Error).message);
  });
});
