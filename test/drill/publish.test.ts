import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DRILL_RECORD_FORMAT, type DrillRecord } from '../../packages/core/src/catalog/drill-record.js';
import { createContext } from '../../packages/core/src/context.js';
import { defaultEvidenceDir, publishEvidence } from '../../packages/core/src/drill/publish.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { MemoryStore } from '../support/memory-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function record(name: string): DrillRecord {
  return {
    format: DRILL_RECORD_FORMAT,
    id: '20261202T101500Z-drllaa',
    name,
    startedAt: '2026-12-02T10:15:00.000Z',
    finishedAt: '2026-12-02T10:16:00.000Z',
    verdict: 'fail',
    failure: 'select failed',
    phases: [],
    checks: [],
    versions: {},
    provenance: {},
  };
}

describe('publishing evidence', () => {
  it('never lets a name that is not one safe path segment shape a file name or a store key', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lifeboat-evidence-test-'));
    dirs.push(parent);
    const evidenceDir = join(parent, 'evidence');
    const store = new MemoryStore();
    const published = await publishEvidence(record('../../outside'), { store, evidenceDir, recordDrill: true }, createContext(new MemoryReporter(), 'cli'));
    expect(readdirSync(evidenceDir).sort()).toEqual(['drill-unknown-20261202T101500Z-drllaa.json', 'drill-unknown-20261202T101500Z-drllaa.md']);
    expect(readdirSync(parent)).toEqual(['evidence']);
    expect(existsSync(join(parent, '..', 'outside-20261202T101500Z-drllaa.json'))).toBe(false);
    expect(published.storedKey).toBeUndefined();
    expect([...store.objects.keys()]).toEqual([]);
  });

  it('names files and the stored record after a valid name', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lifeboat-evidence-test-'));
    dirs.push(parent);
    const store = new MemoryStore();
    const published = await publishEvidence(record('app'), { store, evidenceDir: parent, recordDrill: true }, createContext(new MemoryReporter(), 'cli'));
    expect(published.jsonPath).toBe(join(parent, 'drill-app-20261202T101500Z-drllaa.json'));
    expect([...store.objects.keys()]).toEqual(['app/drills/20261202T101500Z-drllaa.json']);
  });
});

describe('the default evidence folder', () => {
  it('is the user state folder for the CLI, never the working directory', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lifeboat-evidence-test-'));
    dirs.push(state);
    const context = { ...createContext(new MemoryReporter(), 'cli'), env: { XDG_STATE_HOME: state } };
    const published = await publishEvidence(record('app'), { recordDrill: false }, context);
    expect(published.jsonPath).toBe(join(state, 'lifeboat', 'evidence', 'drill-app-20261202T101500Z-drllaa.json'));
    expect(existsSync(join(process.cwd(), 'lifeboat-evidence'))).toBe(false);
    expect(defaultEvidenceDir({ surface: 'cli', tempDir: '/t', env: { HOME: '/home/op' } })).toBe(join('/home/op', '.local', 'state', 'lifeboat', 'evidence'));
    expect(defaultEvidenceDir({ surface: 'action', tempDir: '/runner-temp', env: {} })).toBe(join('/runner-temp', 'lifeboat-evidence'));
  });
});
