/**
 * The catalog checks drill records against `signing-public-key` on every kind of store (the
 * in-memory store, a real folder, S3 over its wire protocol): a record the drill key signed is
 * verified, an unsigned one is rejected (ignored, named), and one that was altered, signed by
 * another key, or copied under another id is unreadable. Without keys nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../packages/core/src/catalog/catalog.js';
import { drillRecordKey, drillSignatureKey } from '../../packages/core/src/catalog/layout.js';
import { generateKeyPair } from '../../packages/core/src/crypto/keygen.js';
import { signDetached } from '../../packages/core/src/crypto/sign.js';
import { readSmallObject } from '../../packages/core/src/catalog/store-reads.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { idAt, putObject, writeBackup, writeDrill } from './fixtures.js';
import { storeKinds } from './stores.js';

const drillKey = await generateKeyPair({ name: 'Drill signer', purpose: 'sign' });
const otherKey = await generateKeyPair({ name: 'Someone else', purpose: 'sign' });
const B = idAt('2025-06-01T02:00:00Z');
const id = (day: number, suffix: string) => idAt(`2025-06-${String(day).padStart(2, '0')}T10:00:00Z`, suffix);

async function signedDrill(store: Store, day: number, suffix: string, verdict: 'pass' | 'fail', key = drillKey.privateKey) {
  const drillId = id(day, suffix);
  await writeDrill(store, 'db', { backupId: B, verdict, finishedAt: `2025-06-${String(day).padStart(2, '0')}T10:02:00Z`, id: drillId });
  const text = await readSmallObject(store, drillRecordKey('db', drillId));
  await putObject(store, drillSignatureKey('db', drillId), (await signDetached(Buffer.from(text), { signingKey: key })).signature);
  return drillId;
}

describe.each(storeKinds())('drill record signatures on the $name store', (kind) => {
  it('verifies signed records, rejects unsigned ones, and marks altered, foreign and copied ones unreadable', async () => {
    const { store } = await kind.open();
    await writeBackup(store, 'db', B);
    const good = await signedDrill(store, 2, 'goodaa', 'pass');
    const tampered = await signedDrill(store, 3, 'tamper', 'fail');
    const key = drillRecordKey('db', tampered);
    await putObject(store, key, (await readSmallObject(store, key)).replace('"verdict": "fail"', '"verdict": "pass"'));
    const foreign = await signedDrill(store, 4, 'foreig', 'pass', otherKey.privateKey);
    const copy = id(5, 'copied');
    await putObject(store, drillRecordKey('db', copy), await readSmallObject(store, drillRecordKey('db', good)));
    await putObject(store, drillSignatureKey('db', copy), await readSmallObject(store, drillSignatureKey('db', good)));
    const unsigned = id(6, 'unsign');
    await writeDrill(store, 'db', { backupId: B, verdict: 'pass', finishedAt: '2025-06-06T10:02:00Z', id: unsigned });

    const checked = await readCatalog(store, 'db', { signingPublicKey: drillKey.publicKey });
    expect(checked.drills.map((d) => [d.id, d.signature, d.signedBy])).toEqual([[good, 'verified', drillKey.fingerprint]]);
    expect(checked.rejectedDrills).toEqual([
      { key: drillRecordKey('db', unsigned), problem: `Drill record db/drills/${unsigned}.json is ignored: it has no signature (${unsigned}.json.sig), and \`signing-public-key\` is set.` },
    ]);
    const unreadable = Object.fromEntries(checked.unreadableDrills.map((u) => [u.key, u.problem]));
    expect(Object.keys(unreadable).sort()).toEqual([copy, tampered, foreign].map((d) => drillRecordKey('db', d)).sort());
    expect(unreadable[drillRecordKey('db', tampered)]).toContain('The signature does not match the data');
    expect(unreadable[drillRecordKey('db', foreign)]).toContain('which is not among the keys in `signing-public-key`');
    expect(unreadable[drillRecordKey('db', copy)]).toContain(`records drill db/${good}, not the name and id it is stored under`);
    // A signature is neither a stray nor a record of its own.
    expect(checked.strays).toEqual([]);

    const unchecked = await readCatalog(store, 'db');
    expect(unchecked.drills.map((d) => d.signature)).toEqual(['unchecked', 'unchecked', 'unchecked', 'unchecked', 'unchecked']);
    expect(unchecked.rejectedDrills).toEqual([]);
    expect(unchecked.unreadableDrills).toEqual([]);
  });
});
