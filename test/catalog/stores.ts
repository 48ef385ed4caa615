/**
 * The stores the catalog, retention and gate tests run against: the in-memory store, a real
 * local folder, and a real S3 wire protocol (s3rver on loopback). Each test gets a fresh,
 * empty store; the S3 service and the folders are removed after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { RunContext } from '../../packages/core/src/context.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { openStore, type StoreOptions } from '../../packages/core/src/storage/open-store.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { startS3, type S3Service } from '../services/s3.js';
import { MemoryStore } from '../support/memory-store.js';

export type StoreKindName = 'memory' | 'local' | 's3';

/** A fresh store, the options that open it again (absent for memory), and a context that reaches it. */
export interface OpenedStore {
  readonly store: Store;
  readonly options?: StoreOptions;
  /** A context whose clock reads `now` and whose env reaches the store. */
  context(now: Date, reporter?: MemoryReporter): RunContext & { reporter: MemoryReporter };
}

export interface StoreKind {
  readonly name: StoreKindName;
  open(): Promise<OpenedStore>;
}

/** Registers setup and teardown in the calling test file and returns the store kinds. */
export function storeKinds(which: readonly StoreKindName[] = ['memory', 'local', 's3']): StoreKind[] {
  let s3: S3Service | undefined;
  const folders: string[] = [];
  beforeAll(async () => {
    if (which.includes('s3')) s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  const contextFor = (env: Record<string, string | undefined>) => (now: Date, reporter = new MemoryReporter()) => ({
    reporter,
    env,
    surface: 'library' as const,
    tempDir: tmpdir(),
    now: () => now,
  });

  const kinds: StoreKind[] = [
    {
      name: 'memory',
      async open() {
        return { store: new MemoryStore(), context: contextFor({}) };
      },
    },
    {
      name: 'local',
      async open() {
        const folder = mkdtempSync(join(tmpdir(), 'lifeboat-catalog-'));
        folders.push(folder);
        const options: StoreOptions = { store: folder };
        const context = contextFor({ PATH: process.env.PATH });
        return { store: await openStore(options, context(new Date())), options, context };
      },
    },
    {
      name: 's3',
      async open() {
        if (!s3) throw new Error('s3rver did not start');
        const bucket = await s3.createBucket();
        const options: StoreOptions = { store: `s3://${bucket}/backups`, s3Endpoint: s3.endpoint, s3Region: s3.region, s3ForcePathStyle: true };
        const context = contextFor({ PATH: process.env.PATH, ...s3.env });
        return { store: await openStore(options, context(new Date())), options, context };
      },
    },
  ];
  return kinds.filter((k) => which.includes(k.name));
}
