import { Transform } from 'node:stream';
import type { RunContext } from '../../context.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { describeCommand } from './command-line.js';
import { parseCounts } from './counts.js';
import { CommandFailedError, CommandSourceRefusedError } from './errors.js';
import type { CommandManifestSection } from './manifest.js';
import { commandFailedError, commandFailure, runCommand, startCommand } from './run-command.js';
import type { CommandBackupSettings } from './settings.js';

/**
 * Prepares a command backup. For `preset: mongodb` it asks the server first (mongosh
 * `hello`) and refuses a sharded cluster's router, as mongodump's documentation advises
 * against dumping through mongos; `mongodb-oplog` needs a replica set.
 */
export async function createCommandSource(settings: CommandBackupSettings, name: string, context: RunContext): Promise<BackupSource> {
  const probe = settings.preset?.probe?.();
  if (probe) {
    const { exit, stdout } = await runCommand(probe, { env: settings.env, signal: context.signal });
    const why = commandFailure(exit, stdout.length, true);
    if (why) throw commandFailedError('probe command', probe, why, exit.stderrTail);
    const facts = (parseCounts(stdout) ?? {}) as { msg?: unknown; setName?: unknown };
    if (facts.msg === 'isdbgrid') {
      throw new CommandSourceRefusedError(
        '`source-url` points at a mongos router of a sharded cluster; mongodump cannot take a consistent backup of a sharded cluster.',
        'Back up each shard\'s replica set (and the config server replica set) with its own backup, with the balancer stopped, as MongoDB\'s documentation describes; or use a file-system or cloud snapshot.',
      );
    }
    if (settings.oplog && typeof facts.setName !== 'string') {
      throw new CommandSourceRefusedError('`mongodb-oplog` is set, but the server is not a member of a replica set, so it has no oplog.', 'Remove `mongodb-oplog` for a standalone server.');
    }
  }
  return {
    kind: 'command',
    defaultName: name,
    payloadFile: settings.payloadFile,
    start: async (signal) => {
      signal.throwIfAborted();
      return startRun(settings, signal, context);
    },
  };
}

/** Runs the count command and reads its JSON; a failure or non-JSON output fails the backup. */
async function count(settings: CommandBackupSettings, signal: AbortSignal, context: RunContext): Promise<unknown> {
  const command = settings.count!;
  const counted = await runCommand(command, { env: settings.env, signal, cwd: context.tempDir });
  const failed = commandFailure(counted.exit, counted.stdout.length, true);
  if (failed) throw commandFailedError('count command', command, failed, counted.exit.stderrTail);
  const counts = parseCounts(counted.stdout);
  if (counts === undefined) {
    throw new CommandFailedError(`The count command \`${describeCommand(command)}\` did not print JSON.`, 'Make it print one JSON value, e.g. {"users": 42, "orders": 7}.');
  }
  return counts;
}

async function startRun(settings: CommandBackupSettings, signal: AbortSignal, context: RunContext): Promise<SourceRun> {
  // Counted before and after the dump: a count that changed in between is recorded as the range the snapshot lies in.
  const before = settings.count ? await count(settings, signal, context) : undefined;
  const started = performance.now();
  const controller = new AbortController();
  const stop = AbortSignal.any([signal, controller.signal]);
  const run = startCommand(settings.backup, settings.env, stop, context.tempDir);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  run.stdout!.pipe(counter);
  const result = (async (): Promise<SourceResult> => {
    const exit = await run.exit;
    const durationMs = Math.round(performance.now() - started);
    const why = commandFailure(exit, bytes, true);
    if (why) {
      const error = commandFailedError('backup command', settings.backup, why, exit.stderrTail);
      throw error;
    }
    const stats: Record<string, unknown> = { kind: 'command' };
    if (settings.count) {
      stats.counts = await count(settings, signal, context);
      stats.countsBefore = before;
      stats.countCommand = describeCommand(settings.count);
    }
    const manifest: CommandManifestSection = {
      kind: 'command',
      ...(settings.preset ? { preset: settings.preset.name } : {}),
      command: describeCommand(settings.backup),
      shell: settings.backup.shell,
      payloadFile: settings.payloadFile,
      exitCode: exit.exitCode ?? 0,
      durationMs,
      counted: settings.count !== undefined,
      ...(settings.oplog ? { oplog: true } : {}),
    };
    return { manifest, stats };
  })();
  result.catch(() => {});
  return {
    stream: counter,
    result,
    abort: (reason) => {
      controller.abort(reason);
      run.kill();
    },
  };
}
