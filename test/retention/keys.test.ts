import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupOperation, createContext, generateKeyPair, keysOperation, MemoryReporter, operations, type RunContext } from '@lifeboat/core';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { tempFolder } from '../support/temp-folders.js';

type Pair = Awaited<ReturnType<typeof generateKeyPair>>;
let keyA: Pair;
let keyB: Pair;
// After the keys were made: a key signed later than the run's clock would not be usable.
const T0 = Date.now() + 60_000;
const HOUR = 3_600_000;

function at(ms: number): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'cli', {}), reporter, now: () => new Date(ms) };
}

/** A config folder backed up with the files engine, encrypted to `recipients`, at a given time. */
async function backupAt(store: string, root: string, recipients: string, ms: number): Promise<void> {
  const options = resolveOptions(backupOperation, objectSource({ store, name: 'config', paths: 'app.yaml', 'files-root': root, recipients, 'allow-unsigned': 'true' }));
  const outcome = await operations.backup.run(options, at(ms));
  expect(outcome.ok, outcome.failure).toBe(true);
}

async function keysAt(store: string, ms: number, keep: Record<string, string>) {
  const outcome = await operations.keys.run(resolveOptions(keysOperation, objectSource({ store, ...keep })), at(ms));
  expect(outcome.ok, outcome.failure).toBe(true);
  return outcome;
}

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([generateKeyPair({ name: 'Rotation key A' }), generateKeyPair({ name: 'Rotation key B' })]);
});

describe('lifeboat keys after rotating from key A to key B', () => {
  it('says A can be retired exactly when no backup retention keeps needs it', async () => {
    const store = tempFolder('lifeboat-keys-store-');
    const root = tempFolder('lifeboat-keys-config-');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'app.yaml'), 'port: 8080\n');
    await backupAt(store, root, keyA.publicKey, T0);
    await backupAt(store, root, `${keyA.publicKey}\n${keyB.publicKey}`, T0 + HOUR);
    await backupAt(store, root, keyB.publicKey, T0 + 2 * HOUR);
    const later = T0 + 3 * HOUR;
    const a = keyA.fingerprint.toUpperCase();
    const b = keyB.fingerprint.toUpperCase();

    // Keeping the two newest: the A+B backup is kept, so A is still needed.
    const two = await keysAt(store, later, { 'keep-last': '2' });
    expect(two.outputs).toMatchObject({ keys: 2, retirable: '', needed: [a, b].sort().join(',') });

    // Keeping only the newest (B alone): A can go, B cannot.
    const one = await keysAt(store, later, { 'keep-last': '1' });
    expect(one.outputs).toMatchObject({ keys: 2, retirable: a, needed: b });

    // Nothing was deleted: keys only reads.
    expect((await keysAt(store, later, { 'keep-last': '3' })).outputs).toMatchObject({ retirable: '' });
  });

  it('refuses to guess without a keep rule', async () => {
    const store = tempFolder('lifeboat-keys-store-');
    await expect(operations.keys.run(resolveOptions(keysOperation, objectSource({ store })), at(T0))).rejects.toThrow(/at least one keep rule/);
  });
});
