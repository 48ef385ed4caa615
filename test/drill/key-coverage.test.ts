/**
 * A drill warns when another backup under its name needs a key the identity given lacks: after
 * rotating from key A to key B, a drill with B alone names the A backups (their next drill
 * would fail); with A and B it says nothing. Real keys: age-keygen's, and OpenPGP keys.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupOperation, createContext, drillOperation, generateKeyPair, MemoryReporter, operations, type DrillRecord, type RunContext } from '@lifeboat/core';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { ageKeygen } from '../services/age.js';
import { tempFolder } from '../support/temp-folders.js';

const T0 = Date.now() + 60_000;
const HOUR = 3_600_000;

function at(ms: number): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'cli', {}), reporter, now: () => new Date(ms) };
}

/** Three backups of a config folder: to A, to A again, then to B (newest). Returns the store and the backup ids, oldest first. */
async function rotatedStore(keyA: string, keyB: string): Promise<{ store: string; ids: string[] }> {
  const store = tempFolder('lifeboat-coverage-store-');
  const root = tempFolder('lifeboat-coverage-config-');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'app.yaml'), 'port: 8080\n');
  const ids: string[] = [];
  for (const [i, recipients] of [keyA, keyA, keyB].entries()) {
    const options = resolveOptions(backupOperation, objectSource({ store, name: 'config', paths: 'app.yaml', 'files-root': root, recipients, 'allow-unsigned': 'true' }));
    const outcome = await operations.backup.run(options, at(T0 + i * HOUR));
    expect(outcome.ok, outcome.failure).toBe(true);
    ids.push(String(outcome.outputs?.['backup-id']));
  }
  return { store, ids };
}

async function drillWith(store: string, identity: string) {
  const context = at(T0 + 3 * HOUR);
  const options = resolveOptions(drillOperation, objectSource({ store, name: 'config', identity, 'allow-unsigned': 'true', 'record-drill': 'false', 'evidence-dir': tempFolder('lifeboat-coverage-evidence-') }));
  const outcome = await operations.drill.run(options, context);
  expect(outcome.ok, outcome.failure).toBe(true);
  const warnings = context.reporter.lines.filter((e) => e.level === 'warning').map((e) => e.message);
  return { warnings, notes: (outcome.data as DrillRecord).notes, verdict: (outcome.data as DrillRecord).verdict };
}

describe('drill: kept backups that need a key the identity lacks', () => {
  let ageA: ReturnType<typeof ageKeygen>;
  let ageB: ReturnType<typeof ageKeygen>;
  beforeAll(() => {
    ageA = ageKeygen();
    ageB = ageKeygen();
  });

  it('age: with identity B alone the drill passes and warns naming the A backups and recipient A; with A and B, no warning', async () => {
    const { store, ids } = await rotatedStore(ageA.recipient, ageB.recipient);
    const onlyB = await drillWith(store, ageB.keyFile);
    expect(onlyB.verdict).toBe('pass');
    const warning = onlyB.warnings.find((w) => w.includes('lacks'));
    expect(warning).toBeDefined();
    expect(warning).toContain(`config/${ids[0]}`);
    expect(warning).toContain(`config/${ids[1]}`);
    expect(warning).not.toContain(ids[2]);
    expect(warning).toContain(ageA.recipient);
    expect(onlyB.notes).toContain(warning);
    // Never a secret: neither identity appears anywhere in the output or the evidence.
    for (const text of [...onlyB.warnings, ...(onlyB.notes ?? [])]) {
      expect(text).not.toContain('AGE-SECRET-KEY-1');
    }

    const both = await drillWith(store, `${ageA.keyFile}\n${ageB.keyFile}`);
    expect(both.verdict).toBe('pass');
    expect(both.warnings.filter((w) => w.includes('lacks'))).toEqual([]);
    expect((both.notes ?? []).filter((n) => n.includes('lacks'))).toEqual([]);
  });

  it('OpenPGP: the A backups are named with the last 8 characters of A\'s fingerprint', async () => {
    const [keyA, keyB] = await Promise.all([generateKeyPair({ name: 'Coverage key A' }), generateKeyPair({ name: 'Coverage key B' })]);
    const { store, ids } = await rotatedStore(keyA.publicKey, keyB.publicKey);
    const onlyB = await drillWith(store, keyB.privateKey);
    const warning = onlyB.warnings.find((w) => w.includes('lacks'))!;
    expect(warning).toContain(`2 backups (config/${ids[1]}, config/${ids[0]})`); // newest first, as the catalog lists them
    expect(warning).toContain(`…${keyA.fingerprint.slice(-8).toUpperCase()}`);
    expect(warning).not.toContain(keyA.fingerprint.slice(0, 32).toUpperCase());
    expect(warning).not.toContain('PRIVATE KEY');
    const both = await drillWith(store, `${keyA.privateKey}\n${keyB.privateKey}`);
    expect(both.warnings.filter((w) => w.includes('lacks'))).toEqual([]);
  });
});
