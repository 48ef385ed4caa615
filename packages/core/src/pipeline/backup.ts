import { outputSeconds } from '../options/values.js';
import type { RunContext } from '../context.js';
import type { BackupOptions } from '../options/backup.js';
import type { OperationOutcome } from '../report/outcome.js';
import { describeError } from '../report/errors.js';
import { pruneAfterBackup } from '../retention/prune.js';
import { backupEngine } from '../engines/registry.js';
import type { BackupSource } from '../engines/source.js';
import type { Store } from '../storage/store.js';
import { sweepLeftovers } from '../process/work-dir.js';
import { renderBackupSummary, type TakenBackup } from './backup-summary.js';
import { runBackup } from './run-backup.js';
import { prepareBackup, preflight } from '../preflight/preflight.js';

/**
 * The backup operation: the preflight checks first (keys, retention, the store probed, the
 * engine's source checks; fail closed, before any data is read), then the engine whose
 * source option is set lists the backups to take (each PostgreSQL database and the globals,
 * one Redis server), and each is taken as its own backup with its manifest written last. With `preflight: true`, only the
 * checks run and their PASS/FAIL table is the result.
 */
export async function backup(
  options: BackupOptions,
  context: RunContext,
  overrides: { readonly store?: Store } = {},
): Promise<OperationOutcome> {
  if (options.preflight) return preflight(options, context);
  const { reporter } = context;
  const engine = backupEngine(options);
  // Keys, retention, the store (probed) and the engine's own checks (PostgreSQL: server,
  // pg_dump, the role's privileges), each failing the run before any data is read.
  const { encryption, signing, store } = await prepareBackup(options, context, overrides.store);
  // A directory dump of an earlier, killed run may still lie in the temp folder.
  await sweepLeftovers(context);

  const planned = await engine.backup!.plan(options, context);

  const taken: TakenBackup[] = [];
  // Published after the backup summary, so it reads heading first, then each prune table.
  const pruneSummaries: string[] = [];
  const take = async (name: string, createSource: () => Promise<BackupSource>) => {
    try {
      const source = await createSource();
      const result = await reporter.group(`Backup ${name}`, () => runBackup(source, { store, name, encryption, signing }, context));
      const pruned = await prune(options, store, name, result.manifest.id, context);
      if (pruned.summary) pruneSummaries.push(pruned.summary);
      taken.push({ name, result, pruned: pruned.deleted, error: pruned.failure });
    } catch (error) {
      // Not printed here: the run's failure names it once, and the summary's row says it.
      taken.push({ name, error: describeError(error) });
    }
  };
  for (const { name, create } of planned) await take(name, create);

  await reporter.summary(renderBackupSummary(taken, store, encryption, undefined, signing));
  for (const summary of pruneSummaries) await reporter.summary(summary);
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
      size: last?.storedBytes,
      sha256: last?.payload.sha256,
      duration: last ? outputSeconds(last.manifest.durationMs) : undefined,
      recipients: [...encryption.recipients.map((r) => r.fingerprint), ...(encryption.ageRecipients ?? []).map((r) => r.recipient)].join(','),
      encrypted: encryption.scheme !== 'none',
      backups: JSON.stringify(
        done.map(({ name, result }) => ({
          name,
          id: result!.manifest.id,
          size: result!.storedBytes,
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
): Promise<{ deleted: number; failure?: string; summary?: string }> {
  const result = await pruneAfterBackup(options, { store, name, backupId }, context);
  if (!result) return { deleted: 0 };
  const deleted = result.report?.deleted ?? 0;
  const summary = result.summary;
  return result.ok ? { deleted, summary } : { deleted, summary, failure: `backup ${backupId} is complete, but retention failed: ${result.failure}` };
}
