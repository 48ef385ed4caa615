import { dirname } from 'node:path';
import type { CheckResult } from '../../../catalog/drill-record.js';
import type { RunContext } from '../../../context.js';
import type { PostgresRestoreOptions } from '../options.js';
import { postgresRestoreSettings } from '../restore/from-options.js';
import { restoreGlobals } from '../restore/restore-globals.js';
import { restorePostgres } from '../restore/restore-postgres.js';
import type { PostgresConnection } from '../connection.js';
import type { ResolvedClient } from '../../../toolchain/resolve.js';
import type { ArchiveContents } from '../restore/archive-toc.js';
import { restoreErrorsCheck } from './table-checks.js';

/** What restoring a decrypted payload showed: the restore-errors check and notes on known, harmless errors. */
export interface RestoredPayload {
  readonly check: CheckResult;
  readonly notes: string[];
  /** The error lines pg_restore or psql printed (redacted, at most 100). */
  readonly errors: readonly string[];
  /** What the archive says the restore made (not for globals scripts). */
  readonly contents?: ArchiveContents;
}

/** Where a payload is restored: the target database as its admin user, and as the role pg_restore runs as. */
export interface PayloadTarget {
  /** Globals scripts are replayed as this user (creating roles takes one that may). */
  readonly admin: PostgresConnection;
  /** pg_restore connects as this role (see `prepareRestoreIdentity`). */
  readonly restorer: PostgresConnection;
}

/** Restores a decrypted payload: globals SQL through psql (after checking it), an archive through pg_restore. */
export async function restorePayload(
  payloadPath: string,
  source: Record<string, unknown>,
  target: PayloadTarget,
  client: ResolvedClient,
  options: PostgresRestoreOptions,
  context: RunContext,
): Promise<RestoredPayload> {
  if (source.dumpFormat === 'globals-sql') {
    const result = await restoreGlobals(payloadPath, target.admin, { binDir: client.binDir, env: context.env, signal: context.signal });
    return { check: restoreErrorsCheck(result.errors.length, options.maxRestoreErrors, result.errors), notes: [], errors: result.errors };
  }
  // The threshold is a check here, judged with the rest; pg_restore's own limit stays off.
  const { maxErrors: _judgedAsCheck, ...settings } = postgresRestoreSettings(options);
  const result = await restorePostgres({
    ...settings,
    file: payloadPath,
    target: target.restorer,
    origin: source,
    binDir: client.binDir,
    // A directory dump is unpacked beside the decrypted payload, in the run's guarded work folder.
    tempDir: dirname(payloadPath),
    env: context.env,
    signal: context.signal,
    reporter: context.reporter,
  });
  return {
    check: restoreErrorsCheck(result.ignoredErrors, options.maxRestoreErrors, result.errors),
    notes: result.knownIssues.map((issue) => `Known restore issue ${issue.id} (${issue.count}): ${issue.description}`),
    contents: result.contents,
    errors: result.errors,
  };
}
