import type { RunContext } from '../context.js';
import { prepareEncryption, type EncryptionSetting } from '../crypto/index.js';
import type { OperationOutcome } from '../report/outcome.js';
import type { BackupSource } from '../engines/source.js';
import { openStore, type StoreOptions } from '../storage/open-store.js';
import { renderBackupSummary } from './backup-summary.js';
import { probeStore } from '../storage/probe.js';
import { prepareSigning, runBackup } from './run-backup.js';

/** What a single-source backup needs besides the source: where, how encrypted, under which name. */
export interface SourceBackupOptions extends StoreOptions {
  readonly name?: string;
  readonly encryption: EncryptionSetting;
  readonly recipients?: string;
  readonly passphrase?: string;
  readonly signingKey?: string;
  readonly signingKeyPassphrase?: string;
  /** Create a missing store folder instead of failing. */
  readonly createStore?: boolean;
}

/**
 * Backs up one source that is not PostgreSQL (a canister export, an imported file, snapshots):
 * keys and store are validated before the source starts, then the shared pipeline runs.
 */
export async function backupFromSource(source: BackupSource, options: SourceBackupOptions, context: RunContext): Promise<OperationOutcome> {
  const encryption = await prepareEncryption(options, context.reporter, { now: context.now() });
  const signing = await prepareSigning(options, context.reporter);
  const store = await openStore(options, context);
  await probeStore(store, options.createStore, context);
  const name = options.name ?? source.defaultName;
  const result = await runBackup(source, { store, name, encryption, signing }, context);
  const { manifest, payload } = result;
  await context.reporter.summary(renderBackupSummary([{ name, result }], store, encryption, `Lifeboat ${source.kind} backup`, signing));
  return {
    ok: true,
    outputs: {
      'backup-id': manifest.id,
      location: `${store.location}/${result.manifestKey}`,
      size: result.storedBytes,
      sha256: payload.sha256,
    },
    data: manifest,
  };
}
