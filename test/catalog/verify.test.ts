import { describe, expect, it } from 'vitest';
import { chooseSample, BackupNotFoundError, verify, verifyStore } from '../../packages/core/src/catalog/verify.js';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { verifyOperation } from '../../packages/core/src/options/verify.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { withFaults } from '../retention/faulty-store.js';
import { idAt, putObject, sha256, writeBackup } from './fixtures.js';
import { storeKinds } from './stores.js';

const NOW = new Date('2025-06-10T12:00:00Z');
const ids = [1, 2, 3, 4, 5].map((d) => idAt(`2025-06-0${d}T02:00:00Z`));

async function read(store: Store, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function seed(store: Store) {
  const fixtures = [];
  for (const id of ids) fixtures.push(await writeBackup(store, 'db', id));
  return fixtures;
}

describe.each(storeKinds())('verify on the $name store', (kind) => {
  it('re-reads every object of every complete backup and finds them all intact', async () => {
    const { store, context } = await kind.open();
    const fixtures = await seed(store);
    await writeBackup(store, 'db', idAt('2025-06-06T02:00:00Z'), { complete: false });
    const ctx = context(NOW);
    const outcome = await verifyStore(store, { name: 'db', backupId: undefined, sample: undefined }, ctx);
    expect(outcome.ok).toBe(true);
    const bytes = fixtures.reduce((n, f) => n + f.manifest.objects.reduce((m, o) => m + o.size, 0), 0);
    expect(outcome.outputs).toEqual({ verified: 5, failed: 0, objects: 10, bytes });
    expect(ctx.reporter.text()).toContain('db: 1 incomplete backup(s) not verified.');
    expect(ctx.reporter.summaries.join('\n')).toContain('### ✅ Verify: 5 of 5 backup(s) match their manifests');
  });

  it('names the object, the expected and the actual value on a changed byte, a truncation and a missing object', async () => {
    const { store, context } = await kind.open();
    const fixtures = await seed(store);
    // A flipped byte: same size, different SHA-256.
    const payloadKey = fixtures[1]!.payloadKey;
    const changed = await read(store, payloadKey);
    changed[10] = changed[10]! ^ 0xff;
    await putObject(store, payloadKey, changed);
    // A truncated stats object.
    const statsKey = fixtures[3]!.keys[1]!;
    const truncated = (await read(store, statsKey)).subarray(0, 5);
    await putObject(store, statsKey, truncated);
    // A missing payload.
    await store.delete([fixtures[4]!.payloadKey]);
    // An extra file the manifest does not list: a warning, not a failure.
    await putObject(store, `db/${ids[0]}/leftover.tmp`, 'x');

    const ctx = context(NOW);
    const outcome = await verifyStore(store, { name: 'db', backupId: undefined, sample: undefined }, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs).toMatchObject({ verified: 5, failed: 3 });
    const payload = fixtures[1]!.manifest.objects[0]!;
    const stats = fixtures[3]!.manifest.objects[1]!;
    const missing = fixtures[4]!.manifest.objects[0]!;
    const problems = (outcome.data as { results: { problems: string[] }[] }).results.flatMap((r) => r.problems);
    expect(problems).toEqual([
      `db/${ids[4]}/db.pgdump.pgp: missing (expected ${missing.size} bytes, SHA-256 ${missing.sha256}).`,
      `db/${ids[3]}/stats.json.pgp: size expected ${stats.size} bytes, actual 5 bytes.`,
      `db/${ids[3]}/stats.json.pgp: SHA-256 expected ${stats.sha256}, actual ${sha256(truncated)}.`,
      `db/${ids[1]}/db.pgdump.pgp: SHA-256 expected ${payload.sha256}, actual ${sha256(changed)}.`,
    ]);
    expect(outcome.failure).toBe(`Verify failed for 3 of 5 backup(s): ${problems.join(' ')}`);
    // The failure is the one place the log names them: the adapter prints it once.
    for (const problem of problems) expect(ctx.reporter.lines.filter((l) => l.message.includes(problem)), problem).toEqual([]);
    expect(ctx.reporter.text()).toContain(`db/${ids[0]}/leftover.tmp is not listed in the manifest.`);
  });

  it('verifies one backup by id, and says when it does not exist or is incomplete', async () => {
    const { store: real, context } = await kind.open();
    const store = withFaults(real);
    await seed(store);
    const incomplete = idAt('2025-06-06T02:00:00Z');
    await writeBackup(store, 'db', incomplete, { complete: false });
    const one = await verifyStore(store, { name: undefined, backupId: ids[2], sample: undefined }, context(NOW));
    expect(one.outputs).toMatchObject({ verified: 1, failed: 0, objects: 2 });
    await expect(verifyStore(store, { name: 'db', backupId: idAt('2024-01-01T00:00:00Z'), sample: undefined }, context(NOW))).rejects.toThrow(BackupNotFoundError);
    const none = await verifyStore(store, { name: 'db', backupId: incomplete, sample: undefined }, context(NOW));
    expect(none.ok).toBe(false);
    expect(none.failure).toContain(`db/${incomplete}/ has no manifest.json: the backup is incomplete.`);
  });

  it('with a sample, reads the newest backup and the chosen others only', async () => {
    const { store: real, context } = await kind.open();
    const reads: string[] = [];
    const store = withFaults(real, { getFails: (key) => (reads.push(key), undefined) });
    await seed(store);
    // random() = 0.99 picks the last of the others, the oldest.
    const outcome = await verifyStore(store, { name: 'db', backupId: undefined, sample: 2 }, context(NOW), () => 0.99);
    expect(outcome.outputs).toMatchObject({ verified: 2, failed: 0 });
    const payloadReads = reads.filter((k) => !k.endsWith('manifest.json')).map((k) => k.split('/')[1]);
    expect([...new Set(payloadReads)].sort()).toEqual([ids[0], ids[4]]);
  });
});

describe('the verify operation', () => {
  const [local, s3] = storeKinds(['local', 's3']);
  it.each([local!, s3!])('verifies every name in the store when none is given ($name)', async (kind) => {
    const { store, options, context } = await kind.open();
    await writeBackup(store, 'db', ids[0]!);
    await writeBackup(store, 'shop', ids[1]!);
    await writeBackup(store, 'shop', ids[2]!, { encryption: 'none' });
    const resolved = resolveOptions(
      verifyOperation,
      objectSource({
        store: options!.store,
        's3-endpoint': options!.s3Endpoint,
        's3-region': options!.s3Region,
        's3-force-path-style': options!.s3ForcePathStyle ? 'true' : undefined,
      }),
    );
    const outcome = await verify(resolved, context(NOW));
    expect(outcome.outputs).toMatchObject({ verified: 3, failed: 0, objects: 6 });
  });

  it('rejects a sample below 1', () => {
    expect(() => resolveOptions(verifyOperation, objectSource({ store: '/x', sample: '0' }))).toThrow(/sample.*expected a whole number of at least 1/);
  });
});

describe('chooseSample', () => {
  const backups = [3, 1, 4, 2, 5].map((d) => ({ id: `id${d}`, time: new Date(Date.UTC(2025, 0, d)) }));
  it.each([
    [1, () => 0.5, ['id5']],
    [2, () => 0, ['id5', 'id4']],
    [2, () => 0.99, ['id5', 'id1']],
    [3, () => 0.99, ['id5', 'id4', 'id1']],
    [9, () => 0.5, ['id5', 'id4', 'id3', 'id2', 'id1']],
    [0, () => 0.5, []],
  ])('sample %i picks the newest plus random others', (count, random, expected) => {
    expect(chooseSample(backups, count, random).map((b) => b.id)).toEqual(expected);
  });
});
