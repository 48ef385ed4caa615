import type { RunContext } from '../context.js';
import type { BackupOptions } from '../options/backup.js';
import type { OperationOutcome } from '../report/outcome.js';
import { describeError } from '../report/errors.js';
import { pruneAfterBackup } from '../retention/prune.js';
import { connectionForDatabase } from '../engines/postgres/connection.js';
import { postgresDumpSettings, postgresGlobalsSettings } from '../engines/postgres/from-options.js';
import { createPostgresGlobalsSource } from '../engines/postgres/globals.js';
import { createPostgresSource } from '../engines/postgres/source.js';
import type { BackupSource } from '../engines/source.js';
import type { Store } from '../storage/store.js';
import { sweepLeftovers } from '../process/work-dir.js';
import { renderBackupSummary, type TakenBackup } from './backup-summary.js';
import { runBackup } from './run-backup.js';
import { prepareBackup, preflight } from '../preflight/preflight.js';

/**
 * The backup operation: the preflight checks first (keys, retention, store, server, a pg_dump
 * that fits it, the role's privileges; fail closed, before pg_dump starts), then back up each
 * database (and the globals when asked), each its own backup with its manifest written last.
 * With `preflight: true`, only the checks run and their table is the result.
 */
export async function backup(
  options: BackupOptions,
  context: RunContext,
  overrides: { readonly store?: Store } = {},
): Promise<OperationOutcome> {
  if (options.preflight) return preflight(options, context);
  const { reporter } = context;
  // Keys, settings, store (probed), server, pg_dump and privileges, all before pg_dump starts.
  const { encryption, signing, store, connection, client, databases } = await prepareBackup(options, context, overrides.store);
  // A directory dump of an earlier, killed run may still lie in the temp folder.
  await sweepLeftovers(context);

  const run = { binDir: client.binDir, tempDir: context.tempDir, env: context.env, reporter };
  const taken: TakenBackup[] = [];
  const take = async (name: string, createSource: () => Promise<BackupSource>) => {
    try {
      const source = await createSource();
      const result = await reporter.group(`Backup ${name}`, () => runBackup(source, { store, name, encryption, signing }, context));
      const pruned = await prune(options, store, name, result.manifest.id, context);
      taken.push({ name, result, pruned: pruned.deleted, error: pruned.failure });
    } catch (error) {
      const message = describeError(error);
      reporter.error(`Backup of ${name} failed: ${message}`);
      taken.push({ name, error: message });
    }
  };
  for (const database of databases) {
    const db = connectionForDatabase(connection, database);
    await take(options.name ?? database, () =>
      createPostgresSource(postgresDumpSettings(options, { ...run, connection: db })),
    );
  }
  if (options.globals) {
    await take('globals', () => createPostgresGlobalsSource(postgresGlobalsSettings(options, { ...run, connection })));
  }

  await reporter.summary(renderBackupSummary(taken, store, encryption, undefined, signing));
  const done = taken.filter((t) => t.result);
  const last = done.at(-1)?.result;
  const failures = taken.filter((t) => t.error);
  return {
    ok: failures.length === 0,
    failure:
      failures.length === 0
        ? undefined
        : failures.length === 1 && taken.length === 1
          ? failures[0]!.error
          : `${failures.length} of ${taken.length} backups failed: ${failures.map((f) => `${f.name}: ${f.error}`).join('; ')}`,
    outputs: {
      'backup-id': last?.manifest.id,
      location: last ? `${store.location}/${last.manifestKey}` : undefined,
      size: last?.payload.size,
      sha256: last?.payload.sha256,
      duration: last ? Math.round(last.manifest.durationMs) / 1000 : undefined,
      recipients: encryption.recipients.map((r) => r.fingerprint).join(','),
      encrypted: encryption.scheme !== 'none',
      backups: JSON.stringify(
        done.map(({ name, result }) => ({
          name,
          id: result!.manifest.id,
          size: result!.payload.size,
          sha256: result!.payload.sha256,
          manifest: result!.manifestKey,
        })),
      ),
      pruned: taken.reduce((sum, t) => sum + (t.pruned ?? 0), 0),
    },
    data: taken.map(({ name, result, error, pruned }) => ({ name, manifest: result?.manifest, error, pruned })),
  };
}

async function prune(
  options: BackupOptions,
  store: Store,
  name: string,
  backupId: string,
  context: RunContext,
): Promise<{ deleted: number; failure?: string }> {
  const result = await pruneAfterBackup(options, { store, name, backupId }, context);
  if (!result) return { deleted: 0 };
  const deleted = result.report?.deleted ?? 0;
  return result.ok ? { deleted } : { deleted, failure: `backup ${backupId} is complete, but retention failed: ${result.failure}` };
}
