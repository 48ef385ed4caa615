import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../../../process/child-env.js';
import type { Reporter } from '../../../report/reporter.js';
import { clientVersion, spawnTool, toolPath, type ToolExit } from '../client-tool.js';
import { connectionEnv, connectionErrorFromStderr, dbnameConninfo, describeConnection, withConnection } from '../connection.js';
import { queryServerInfo, toConnection, type ConnectionTarget, type ServerInfo } from '../server-info.js';
import { createPrivateTempDir, removePrivateTempDir } from '../../../process/private-temp.js';
import { TRANSACTION_TIMEOUT_MAJOR } from '../../../toolchain/version.js';
import { readArchiveContents, type ArchiveContents } from './archive-toc.js';
import { detectPayloadKind, readArchiveHeader, type ArchiveHeader } from './archive.js';
import { ArchiveFormatError, RestoreClientTooOldError, RestoreError, TargetTooOldError } from './errors.js';

type Env = Record<string, string | undefined>;

/** The parts of a backup manifest's `source` section a restore checks. */
export interface DumpOrigin {
  readonly serverMajor?: number;
  readonly serverVersion?: string;
  readonly clientMajor?: number;
  readonly clientVersion?: string;
  readonly dumpFormat?: string;
}

/** How to restore one PostgreSQL payload. */
export interface RestorePostgresOptions {
  /** Decrypted payload: a custom archive (`db.pgdump`) or a tar of a directory dump (`db.pgdump.tar`). */
  readonly file: string;
  /** Where to restore: a URL or a resolved connection (the database must exist). */
  readonly target: ConnectionTarget;
  /** The manifest's `source` section, to refuse an older target before anything is written. */
  readonly origin?: DumpOrigin;
  /** Folder holding pg_restore (chosen by the toolchain); PATH when absent. */
  readonly binDir?: string;
  /** Parallel pg_restore jobs (default 1). */
  readonly jobs?: number;
  /** `--no-owner`: objects belong to the restoring user (roles of the source need not exist). */
  readonly noOwner?: boolean;
  /** `--no-privileges`: skip GRANT/REVOKE. */
  readonly noPrivileges?: boolean;
  /** Fail (RestoreError) when pg_restore ignored more errors than this; known issues do not count. Default: report only. */
  readonly maxErrors?: number;
  /** Where a tar payload is unpacked (default: the OS temp folder); removed afterwards. */
  readonly tempDir?: string;
  readonly env?: Env;
  readonly signal?: AbortSignal;
  readonly reporter?: Reporter;
}

/** A restore error that is understood and harmless, reported by name instead of as a failure. */
export interface KnownRestoreIssue {
  readonly id: 'transaction-timeout';
  readonly description: string;
  /** How many pg_restore errors it accounts for. */
  readonly count: number;
}

/** What a finished pg_restore reports. */
export interface RestoreResult {
  readonly target: ServerInfo;
  readonly client: { readonly version: string; readonly major: number; readonly path: string };
  readonly archive: ArchiveHeader;
  readonly durationMs: number;
  /** Errors pg_restore ignored and went on, known issues excluded. */
  readonly ignoredErrors: number;
  /** Their messages (redacted, at most 100). */
  readonly errors: readonly string[];
  /** pg_restore's own count from "errors ignored on restore: N" (counts known issues too). */
  readonly reportedErrorCount: number;
  readonly knownIssues: readonly KnownRestoreIssue[];
  /** What the archive's table of contents says the restore made, for the schema checks. */
  readonly contents: ArchiveContents;
}

const MAX_MESSAGES = 100;

/**
 * Runs pg_restore from a file into a target database, after checking that the target is not
 * an older major than the dump's server and that pg_restore can read the archive. Exit status
 * and stderr are checked: errors pg_restore ignored are counted and returned (harmless known
 * issues named apart); a failed or killed pg_restore throws RestoreError.
 */
export async function restorePostgres(options: RestorePostgresOptions): Promise<RestoreResult> {
  const started = Date.now();
  const baseEnv = options.env ?? process.env;
  const connection = toConnection(options.target, baseEnv);
  const target = await withConnection(connection, queryServerInfo);

  const kind = await detectPayloadKind(options.file);
  if (kind === 'unknown') {
    throw new ArchiveFormatError(`${options.file} is neither a pg_dump custom archive nor a tar of a directory dump.`);
  }
  let workDir: string | undefined;
  try {
    let archivePath = options.file;
    if (kind === 'tar') {
      workDir = await createPrivateTempDir(options.tempDir ?? tmpdir(), 'lifeboat-restore-');
      archivePath = join(workDir, 'dump');
      await unpack(options.file, archivePath, baseEnv, options.signal);
    }
    const archive = await readArchiveHeader(kind === 'tar' ? join(archivePath, 'toc.dat') : archivePath);

    const dumpMajor = options.origin?.serverMajor ?? archive.serverMajor;
    if (dumpMajor !== undefined && target.major < dumpMajor) {
      throw new TargetTooOldError({ major: dumpMajor, version: options.origin?.serverVersion ?? archive.serverVersion?.split(' ')[0] }, target);
    }
    const path = toolPath('pg_restore', options.binDir);
    const client = { ...(await clientVersion(path, baseEnv)), path };
    const required = Math.max(archive.minRestoreMajor, 0);
    if (client.major < required) {
      throw new RestoreClientTooOldError(
        `pg_restore ${client.version} cannot read this archive (format ${archive.version}, written by pg_dump ${archive.dumpVersion ?? options.origin?.clientVersion ?? 'unknown'}).`,
        required,
      );
    }

    const base = [
      `--dbname=${dbnameConninfo(connection.database)}`,
      '--no-password',
      ...(options.noOwner ? ['--no-owner'] : []),
      ...(options.noPrivileges ? ['--no-privileges'] : []),
    ];
    // What the restore must produce, read first: whether it attaches partition indexes decides the passes.
    const listDir = await createPrivateTempDir(options.tempDir ?? tmpdir(), 'lifeboat-restore-');
    let contents: ArchiveContents;
    try {
      contents = await readArchiveContents(path, archivePath, listDir, baseEnv, options.signal);
    } finally {
      await removePrivateTempDir(listDir);
    }
    const passes = restorePasses(options.jobs ?? 1, contents.attachesIndexes).map((pass) => [...base, ...pass, archivePath]);
    const messages: string[] = [];
    let reportedErrorCount = 0;
    let lastExit: ToolExit | undefined;
    for (const args of passes) {
      options.reporter?.debug(`Running ${path} ${args.join(' ')} into ${describeConnection(connection)}`);
      const run = spawnTool(path, args, {
        env: connectionEnv(connection, baseEnv),
        tailLines: 20,
        signal: options.signal,
        onStderrLine(line) {
          const count = /errors ignored on restore:\s*(\d+)/.exec(line);
          if (count) reportedErrorCount += Number(count[1]);
          const error = /^pg_restore: (?:error: |\[archiver \(db\)\] )(.*)$/.exec(line);
          if (error && !/^Error (while|from) /i.test(error[1]!)) messages.push(error[1]!);
        },
      });
      const exit = await run.exit;
      options.signal?.throwIfAborted();
      // pg_restore exits 1 when it ignored errors; that is a completed restore whose errors we report.
      const completedWithErrors = exit.exitCode === 1 && exit.signal === null && /errors ignored on restore/.test(exit.stderrTail);
      if (!(exit.exitCode === 0 && exit.signal === null && !exit.spawnError) && !completedWithErrors) {
        throw classifyRestoreFailure(exit, messages, client, archive, connection);
      }
      lastExit = exit;
    }
    const exit = lastExit!;
    const { known, other } = classifyErrors(messages, { clientMajor: client.major, targetMajor: target.major });
    const result: RestoreResult = {
      target,
      client,
      archive,
      durationMs: Date.now() - started,
      ignoredErrors: other.length,
      errors: other.slice(0, MAX_MESSAGES),
      reportedErrorCount,
      knownIssues: known,
      contents,
    };
    if (options.maxErrors !== undefined && other.length > options.maxErrors) {
      throw new RestoreError(
        `pg_restore ignored ${other.length} error${other.length === 1 ? '' : 's'} (allowed: ${options.maxErrors}); first: ${other.slice(0, 3).join(' | ')}`,
        { exitCode: exit.exitCode, signal: exit.signal, errors: result.errors },
        'Read the errors: objects the target lacks (roles, extensions) or a non-empty target are the usual causes. Restore into an empty database with `no-owner`.',
      );
    }
    return result;
  } finally {
    if (workDir) await removePrivateTempDir(workDir);
  }
}

/**
 * The pg_restore runs of a restore with `jobs` workers, as job and section arguments. One run
 * in parallel: pg_restore builds one table's indexes while another's data loads. But in
 * parallel it can attach partitions' indexes to a partitioned index concurrently and leave
 * the parent invalid, so an archive with `INDEX ATTACH` entries gets its tables and data in
 * parallel, then its indexes, constraints and triggers (post-data) in one job, in order.
 */
export function restorePasses(jobs: number, attachesIndexes: boolean): string[][] {
  if (jobs <= 1) return [['--jobs=1']];
  if (!attachesIndexes) return [[`--jobs=${jobs}`]];
  return [
    [`--jobs=${jobs}`, '--section=pre-data', '--section=data'],
    ['--jobs=1', '--section=post-data'],
  ];
}

/**
 * Splits pg_restore's error messages into known harmless issues and real errors.
 * pg_restore ≥ 17 sends `SET transaction_timeout = 0` on every connection; servers before 17
 * reject it (one error per connection, more with --jobs), and nothing else changes.
 */
export function classifyErrors(
  messages: readonly string[],
  versions: { clientMajor: number; targetMajor: number },
): { known: KnownRestoreIssue[]; other: string[] } {
  const timeoutIssue = versions.clientMajor >= TRANSACTION_TIMEOUT_MAJOR && versions.targetMajor < TRANSACTION_TIMEOUT_MAJOR;
  let timeoutCount = 0;
  const other: string[] = [];
  for (const message of messages) {
    if (timeoutIssue && /unrecognized configuration parameter "transaction_timeout"/.test(message)) timeoutCount++;
    else other.push(message);
  }
  const known: KnownRestoreIssue[] =
    timeoutCount > 0
      ? [
          {
            id: 'transaction-timeout',
            description: `pg_restore ${versions.clientMajor} sets transaction_timeout, which PostgreSQL ${versions.targetMajor} does not have; the setting is skipped and nothing else is affected.`,
            count: timeoutCount,
          },
        ]
      : [];
  return { known, other };
}

/** The error for a pg_restore run that did not complete (exported for tests of real stderr). */
export function classifyRestoreFailure(
  exit: ToolExit,
  messages: readonly string[],
  client: { version: string; major: number },
  archive: ArchiveHeader,
  connection: ReturnType<typeof toConnection>,
): Error {
  if (exit.spawnError) return exit.spawnError;
  const stderr = exit.stderrTail;
  const version = /unsupported version \(([\d.]+)\) in file header/.exec(stderr);
  if (version) {
    return new RestoreClientTooOldError(
      `pg_restore ${client.version} cannot read this archive (format ${version[1]}).`,
      Math.max(archive.minRestoreMajor, client.major + 1),
    );
  }
  const connectionProblem = exit.signal === null ? connectionErrorFromStderr(stderr, connection) : undefined;
  if (connectionProblem) return connectionProblem;
  if (/does not appear to be a valid archive|could not read input file|unexpected end of file/i.test(stderr)) {
    return new ArchiveFormatError(`pg_restore could not read the archive: ${lastLines(stderr, 3)}`, 'The payload is damaged or incomplete; restore another backup.');
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  return new RestoreError(
    `pg_restore ${how}: ${lastLines(stderr, 6) || '(no error output)'}`,
    { exitCode: exit.exitCode, signal: exit.signal, errors: messages.slice(0, MAX_MESSAGES) },
    exit.signal ? 'The restore was cut short; check the runner for out-of-memory kills or a cancelled job.' : undefined,
  );
}

async function unpack(file: string, into: string, env: Env, signal: AbortSignal | undefined): Promise<void> {
  await mkdir(into);
  const run = spawnTool('tar', ['-xf', file, '-C', into], { env: childEnv(env), signal });
  const exit = await run.exit;
  signal?.throwIfAborted();
  if (exit.exitCode !== 0 || exit.signal !== null || exit.spawnError) {
    throw new ArchiveFormatError(`tar could not unpack ${file}: ${exit.spawnError?.message ?? lastLines(exit.stderrTail, 3)}`);
  }
}

function lastLines(text: string, count: number): string {
  return text.split('\n').filter((l) => l.trim()).slice(-count).join('\n');
}
