/** Helpers shared by the Redis engine tests: backups through the real pipeline, read back. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, MemoryReporter, type Manifest, type RunContext } from '@lifeboat/core';
import { loadDecryptionKeys, prepareEncryption } from '../../packages/core/src/crypto/index.js';
import { obtainBackup } from '../../packages/core/src/drill/obtain.js';
import { PhaseRecorder } from '../../packages/core/src/drill/phases.js';
import { selectBackup } from '../../packages/core/src/drill/select.js';
import { runBackup, type BackupRunResult, type BackupSigning } from '../../packages/core/src/pipeline/run-backup.js';
import { openStore, type StoreOptions } from '../../packages/core/src/storage/open-store.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { parseRedisUrl, type RedisTlsOptions } from '../../packages/core/src/engines/redis/connection.js';
import { createRedisSource, type RedisBackupSettings } from '../../packages/core/src/engines/redis/source.js';
import { tempFolder } from '../support/temp-folders.js';

/** A CLI-surface context with a memory reporter. */
export function testContext(env: Record<string, string | undefined> = {}): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'cli', { ...process.env, ...env }), reporter };
}

/** A fresh folder under the test temp folder. */
export function freshFolder(prefix = 'lifeboat-store-'): string {
  return tempFolder(prefix);
}

/** What a Redis backup in a test is given. */
export interface RedisBackupCase {
  readonly url: string;
  readonly tls?: RedisTlsOptions;
  readonly mode?: 'rdb' | 'keys';
  readonly compression?: 'none' | 'zstd';
  readonly store: StoreOptions;
  readonly name?: string;
  /** Armored public key; else the passphrase below encrypts. */
  readonly recipients?: string;
  readonly passphrase?: string;
  /** `age` with age recipients in `recipients`; OpenPGP otherwise. */
  readonly encryption?: 'openpgp' | 'age';
  /** Signs the manifest, as a backup with `signing-key` does. */
  readonly signing?: BackupSigning;
  readonly settings?: Partial<RedisBackupSettings>;
  /** Wraps the store, e.g. to act while the payload is being written. */
  readonly wrapStore?: (store: Store) => Store;
}

export const TEST_PASSPHRASE = 'correct horse battery staple for redis';

/** Prepares the source and runs the pipeline's runBackup, as the backup operation does. */
export async function backupRedis(test: RedisBackupCase, context = testContext()): Promise<BackupRunResult> {
  const connection = parseRedisUrl(test.url, test.tls);
  const source = await createRedisSource({ connection, mode: test.mode, compression: test.compression, reporter: context.reporter, ...test.settings });
  const encryption = await prepareEncryption(
    { encryption: test.encryption ?? 'openpgp', recipients: test.recipients, passphrase: test.recipients ? undefined : (test.passphrase ?? TEST_PASSPHRASE) },
    context.reporter,
    { now: context.now() },
  );
  const opened = await openStore(test.store, context);
  const store = test.wrapStore ? test.wrapStore(opened) : opened;
  return runBackup(source, { store, name: test.name ?? 'cache', encryption, signing: test.signing }, context);
}

/** Every backup folder of `name` in a local store that has a manifest, and those that do not. */
export function backupsIn(folder: string, name: string): { complete: string[]; partial: string[] } {
  let ids: string[] = [];
  try {
    ids = readdirSync(join(folder, name)).filter((e) => e !== 'drills');
  } catch {
    return { complete: [], partial: [] };
  }
  const complete = ids.filter((id) => readdirSync(join(folder, name, id)).includes('manifest.json'));
  // A folder the local store left empty after removing a failed backup's objects holds nothing.
  return { complete, partial: ids.filter((id) => !complete.includes(id) && readdirSync(join(folder, name, id)).length > 0) };
}

/** The manifest of one backup in a local store. */
export function readManifest(folder: string, name: string, id: string): Manifest {
  return JSON.parse(readFileSync(join(folder, name, id, 'manifest.json'), 'utf8')) as Manifest;
}

/** The drill's first phases as the orchestrator runs them: select, download, verify, decrypt into `workDir`. */
export async function obtainRedisBackup(store: string, name: string, workDir: string, context = testContext()) {
  const opened = await openStore({ store }, context);
  const selected = await selectBackup(opened, { name });
  const keys = await loadDecryptionKeys({ passphrase: TEST_PASSPHRASE });
  const phases = new PhaseRecorder();
  // These backups are unsigned: origin checks have tests of their own.
  const obtained = await obtainBackup(opened, selected, keys, { allowUnsigned: true, allowUnencrypted: false, keysGiven: true }, workDir, phases, context);
  return { selected, obtained, phases };
}
