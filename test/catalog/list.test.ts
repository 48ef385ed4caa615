import { describe, expect, it } from 'vitest';
import { listCatalog, listStore } from '../../packages/core/src/catalog/list.js';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { listOperation } from '../../packages/core/src/options/list.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { idAt, putObject, writeBackup, writeDrill } from './fixtures.js';
import { storeKinds } from './stores.js';

const NOW = new Date('2025-06-10T12:00:00Z');

describe.each(storeKinds())('list on the $name store', (kind) => {
  it('lists every name with each backup: time, size, state, encryption and last drill', async () => {
    const { store, context } = await kind.open();
    const a = idAt('2025-06-08T02:00:00Z');
    const b = idAt('2025-06-09T02:00:00Z');
    const c = idAt('2025-06-10T02:00:00Z');
    const fa = await writeBackup(store, 'db', a, { encryption: 'none' });
    await writeBackup(store, 'db', b);
    await writeBackup(store, 'db', c, { complete: false });
    await writeBackup(store, 'shop', idAt('2025-06-10T03:00:00Z'));
    await writeDrill(store, 'db', { backupId: a, verdict: 'pass', finishedAt: '2025-06-08T05:00:00Z' });
    const ctx = context(NOW);
    const outcome = await listStore(store, { name: undefined }, ctx);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs).toEqual({ names: 'db,shop', complete: 3, incomplete: 1, unreadable: 0, 'newest-backup-id': undefined });
    const data = outcome.data as { names: { name: string; newestComplete: string; backups: Record<string, unknown>[] }[] };
    const db = data.names[0]!;
    expect(db.newestComplete).toBe(b);
    expect(db.backups.map((x) => [x.id, x.state, x.encryption])).toEqual([
      [c, 'incomplete', undefined],
      [b, 'complete', 'openpgp'],
      [a, 'complete', 'none'],
    ]);
    const sizeA = fa.manifest.objects.reduce((n, o) => n + o.size, 0);
    expect(db.backups[2]).toMatchObject({
      time: '2025-06-08T02:00:00.000Z',
      objects: 3,
      source: 'postgres',
      lastDrill: { verdict: 'pass', finishedAt: '2025-06-08T05:00:00.000Z' },
    });
    expect(db.backups[2]!.size as number).toBeGreaterThan(sizeA); // payload + stats + the manifest itself
    expect(ctx.reporter.text()).toContain(`db/${c} is incomplete: 2 object(s) but no manifest.`);
    const summary = ctx.reporter.summaries.join('\n');
    expect(summary).toContain('#### `db`');
    expect(summary).toMatch(new RegExp(`\\| \`${a}\` \\| 2d 10h \\| [^|]+ \\| complete \\| none \\| pass \\(2d 7h ago\\) \\|`));
  });

  it('says there are no backups in an empty store', async () => {
    const { store, context } = await kind.open();
    const ctx = context(NOW);
    const outcome = await listStore(store, { name: undefined }, ctx);
    expect(outcome.outputs).toMatchObject({ names: '', complete: 0 });
    expect(ctx.reporter.summaries.join('\n')).toContain('No backups.');
  });
});

describe('the list operation', () => {
  const [local, s3] = storeKinds(['local', 's3']);
  it.each([local!, s3!])('lists one name, with its newest complete backup as an output ($name)', async (kind) => {
    const { store, options, context } = await kind.open();
    const id = idAt('2025-06-09T02:00:00Z');
    await writeBackup(store, 'db', id);
    await writeBackup(store, 'shop', idAt('2025-06-10T02:00:00Z'));
    await putObject(store, 'db/README', 'not a backup');
    const resolved = resolveOptions(
      listOperation,
      objectSource({
        store: options!.store,
        name: 'db',
        's3-endpoint': options!.s3Endpoint,
        's3-region': options!.s3Region,
        's3-force-path-style': options!.s3ForcePathStyle ? 'true' : undefined,
      }),
    );
    const ctx = context(NOW);
    const outcome = await listCatalog(resolved, ctx);
    expect(outcome.outputs).toEqual({ names: 'db', complete: 1, incomplete: 0, unreadable: 0, 'newest-backup-id': id });
    expect(ctx.reporter.text()).toContain('db/README is neither a backup object nor a drill record.');
  });
});

describe('list on a store that is not there', () => {
  it('fails on a missing folder instead of saying "No backups."', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createContext, MemoryReporter, StoreFolderMissingError } = await import('@lifeboat/core');
    const root = mkdtempSync(join(tmpdir(), 'lifeboat-list-'));
    try {
      const folder = join(root, 'no-such-store');
      const options = resolveOptions(listOperation, objectSource({ store: folder }));
      const reporter = new MemoryReporter();
      await expect(listCatalog(options, createContext(reporter, 'cli', {}))).rejects.toBeInstanceOf(StoreFolderMissingError);
      expect(reporter.summaries.join('\n')).not.toContain('No backups.');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
