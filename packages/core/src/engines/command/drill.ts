import { dirname, join } from 'node:path';
import type { CheckResult } from '../../catalog/drill-record.js';
import type { RunContext } from '../../context.js';
import type { DecryptedBackup } from '../engine.js';
import type { RestoredTarget } from '../restored-target.js';
import { describeCommand, takesPayloadPath, withPayloadPath } from './command-line.js';
import { countChecks, parseCounts } from './counts.js';
import type { CommandManifestSection } from './manifest.js';
import type { CommandDrillOptions } from './options.js';
import { commandFailedError, commandFailure, runCommand, type CommandRecord } from './run-command.js';
import { commandRestoreSettings, type CommandRestoreSettings } from './settings.js';
import { describeUrl } from './url-env.js';

/** The target a command backup was restored into, with the commands that reach it. */
export interface CommandRestoredTarget extends RestoredTarget {
  readonly settings: CommandRestoreSettings;
  /** The counts the backup recorded, for the operator's `recorded` checks. */
  readonly recorded: unknown;
}

/** A command run as a check result: the evidence records the command, its exit status and duration. */
export function commandRun(name: string, record: CommandRecord, ok: boolean, message?: string): CheckResult {
  return {
    name,
    kind: 'command-run',
    ok,
    expected: 'exit 0',
    actual: record.signal ? `killed by ${record.signal}` : `exit ${record.exitCode}`,
    command: record.command,
    exitCode: record.exitCode,
    signal: record.signal,
    durationMs: record.durationMs,
    ...(message ? { message } : {}),
  };
}

/**
 * Restores a decrypted command backup: the restore command (the operator's, or the backup's
 * preset's) gets the payload on stdin, or its path where it says `{payload}`, and the target
 * as `TARGET_*`. A failing restore command fails the restore naming it and its stderr.
 */
export async function restoreWithCommand(
  backup: DecryptedBackup<CommandManifestSection>,
  options: Partial<CommandDrillOptions>,
  context: RunContext,
  role: 'drill' | 'restore',
): Promise<CommandRestoredTarget> {
  // A drill of an SQLite backup without a target restores into a file beside the payload, in the drill's private folder.
  const scratch = role === 'drill' ? join(dirname(backup.payloadPath), 'restored.sqlite') : undefined;
  const settings = commandRestoreSettings(options, backup.section, context.env, scratch);
  const byPath = takesPayloadPath(settings.restore);
  const command = byPath ? withPayloadPath(settings.restore, backup.payloadPath) : settings.restore;
  const { exit, record } = await runCommand(command, { env: settings.env, signal: context.signal, stdinFile: byPath ? undefined : backup.payloadPath, cwd: context.tempDir });
  const why = commandFailure(exit, 0, false);
  if (why) throw commandFailedError('restore command', settings.restore, why, exit.stderrTail);
  const description = settings.ownTarget ? 'a scratch SQLite file in the drill\'s private folder' : describeUrl(settings.env.TARGET_URL ?? 'the restore command\'s own target');
  return {
    settings,
    recorded: (backup.stats as { counts?: unknown } | undefined)?.counts,
    description,
    versions: {},
    notes: [`Restored with \`${describeCommand(settings.restore)}\` in ${(record.durationMs / 1000).toFixed(1)} s (payload ${byPath ? 'as a file path' : 'on stdin'}).`],
    checks: [commandRun('restore command', record, true)],
    endpoint: { url: settings.env.TARGET_URL && describeUrl(settings.env.TARGET_URL), env: Object.fromEntries(Object.entries(settings.env).filter(([k]) => k.startsWith('TARGET_'))) },
    async cleanup() {
      // The scratch file goes with the drill's private folder; an operator's target is theirs.
    },
  };
}

/**
 * The automatic checks: the count command run against the restored target must print the
 * counts the backup recorded. A backup with counts but no count command to compare is a failure.
 */
export async function commandAutomaticChecks(target: CommandRestoredTarget | undefined, stats: Record<string, unknown> | undefined, context: RunContext): Promise<CheckResult[]> {
  const recorded = (stats as { counts?: unknown } | undefined)?.counts;
  if (!target || recorded === undefined) return [];
  const count = target.settings.count;
  if (!count) {
    return [{ name: 'recorded counts', kind: 'command-count', ok: false, expected: 'a count command', actual: 'none', message: 'The backup recorded counts; set `count-command` for the drill to compare them.' }];
  }
  const { exit, stdout, record } = await runCommand(count, { env: target.settings.env, signal: context.signal, cwd: context.tempDir });
  const why = commandFailure(exit, stdout.length, true);
  if (why) return [commandRun('count command', record, false, commandFailedError('count command', count, why, exit.stderrTail).message)];
  const counts = parseCounts(stdout);
  if (counts === undefined) return [commandRun('count command', record, false, 'It did not print JSON.')];
  return [commandRun('count command', record, true), ...countChecks(recorded, counts, (stats as { countsBefore?: unknown }).countsBefore)];
}
