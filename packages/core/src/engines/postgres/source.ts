import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { LifeboatError } from '../../report/errors.js';
import type { Reporter } from '../../report/reporter.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { clientVersion, spawnTool, toolPath, type ToolRun } from './client-tool.js';
import { formatCompression, compressionArgs, resolveCompression, STREAM_ZSTD_DEFAULT_LEVEL, type CompressionSetting, type ResolvedCompression } from './compression.js';
import { startZstd, startZstdProgram, zstdAvailable, zstdProgramAvailable } from '../../process/zstd.js';
import { connect, connectionEnv, connectionError, describeConnection, withConnection, type PostgresConnection } from './connection.js';
import { checkExtraDumpArgs } from './dump-args.js';
import { dumpFailure, succeeded } from './dump-failure.js';
import { DatabasePermissionError, DumpError, DumpOptionError, SnapshotError, VersionMismatchError } from './errors.js';
import { queryServerInfo, type ServerInfo } from './server-info.js';
import { createPrivateTempDir, removePrivateTempDir } from '../../process/private-temp.js';
import {
  checkTableFilters,
  countTableRows,
  estimatedRows,
  listDumpedTables,
  type CountMode,
  type DumpedTable,
  type TableFilters,
  type TableRef,
  type TableRows,
} from './tables.js';

type Env = Record<string, string | undefined>;

/** pg_dump archive layouts Lifeboat stores. */
export type DumpFormat = 'custom' | 'directory';

/** Payload names as stored (before `.pgp`). */
export const PAYLOAD_FILES = { custom: 'db.pgdump', directory: 'db.pgdump.tar' } as const;

/** The payload name of a custom-format archive in a zstd frame (`compression: stream-zstd`). */
export const STREAM_ZSTD_PAYLOAD_FILE = 'db.pgdump.zst';

/** Everything a PostgreSQL backup of one database needs to know. */
export interface PostgresDumpSettings {
  readonly connection: PostgresConnection;
  /** Folder holding pg_dump (chosen by the toolchain); PATH when absent. */
  readonly binDir?: string;
  /** `custom` (default) streams; `directory` dumps in parallel to a private temp folder, then streams a tar of it. */
  readonly format?: DumpFormat;
  /** Parallel pg_dump workers; `directory` format only. */
  readonly jobs?: number;
  /** Default `auto`. */
  readonly compression?: CompressionSetting;
  /** Default `exact`. */
  readonly counts?: CountMode;
  readonly filters?: Omit<TableFilters, 'noUnloggedData'>;
  /** `--no-privileges`: leave GRANT/REVOKE out of the archive. */
  readonly noPrivileges?: boolean;
  /** More pg_dump arguments; those that would break the stream are refused. */
  readonly extraArgs?: readonly string[];
  /** Where a directory-format dump is written (default: the OS temp folder). */
  readonly tempDir?: string;
  /** Base environment of the child programs (default: this process's). */
  readonly env?: Env;
  readonly reporter?: Reporter;
}

/** The manifest's `source` section of a PostgreSQL backup (operational facts only). */
export interface PostgresManifestSection extends Record<string, unknown> {
  readonly kind: 'postgres';
  readonly database: string;
  readonly serverVersion: string;
  readonly serverMajor: number;
  readonly clientVersion: string;
  readonly clientMajor: number;
  readonly dumpFormat: DumpFormat | 'globals-sql';
  readonly compression: string;
  /** `zstd`: the payload is the archive in a zstd frame (`compression: stream-zstd`); absent: the archive itself. */
  readonly streamCompression?: 'zstd';
  readonly counts: CountMode;
}

/** The encrypted stats of a PostgreSQL backup: per-table row counts of the dump's snapshot. */
export interface PostgresStats extends Record<string, unknown> {
  readonly database: string;
  readonly counts: CountMode;
  readonly tables: TableRows[];
  /** Tables dumped without their rows (`exclude-table-data`, unlogged with --no-unlogged-table-data). */
  readonly tablesWithoutData: TableRef[];
}

/** A prepared PostgreSQL source: connection checked, versions known, compression chosen. */
export interface PostgresSource extends BackupSource {
  readonly kind: 'postgres';
  readonly server: ServerInfo;
  readonly client: { readonly version: string; readonly major: number; readonly path: string };
  readonly format: DumpFormat;
  readonly compression: ResolvedCompression;
}

/**
 * Prepares a backup of one database: validates the options, connects (so a bad URL, password
 * or database fails before anything else), reads the server's version and size, checks that
 * pg_dump can dump this server, and settles the compression.
 */
export async function createPostgresSource(settings: PostgresDumpSettings): Promise<PostgresSource> {
  const format = settings.format ?? 'custom';
  const jobs = settings.jobs ?? 1;
  const counts = settings.counts ?? 'exact';
  if (!Number.isInteger(jobs) || jobs < 1) throw new DumpOptionError(`jobs must be a whole number of at least 1 (got ${jobs}).`);
  if (jobs > 1 && format !== 'directory') {
    throw new DumpOptionError(`jobs: ${jobs} needs \`format: directory\`; pg_dump dumps in parallel only to a directory.`, 'Set `format: directory`, or `jobs: 1`.');
  }
  const filters = settings.filters ?? {};
  checkTableFilters(filters);
  const effect = checkExtraDumpArgs(settings.extraArgs ?? [], { snapshot: counts !== 'off' });

  const path = toolPath('pg_dump', settings.binDir);
  const baseEnv = settings.env ?? process.env;
  const client = await clientVersion(path, baseEnv);
  const server = await withConnection(settings.connection, queryServerInfo);
  if (server.major > client.major) throw new VersionMismatchError(server, client);
  const env = connectionEnv(settings.connection, baseEnv);
  const compression = await resolveCompression(settings.compression ?? { method: 'auto' }, { path, major: client.major, env }, format);
  const compressArgs = compressionArgs(compression, client.major);
  const streamZstd = compression.method === 'stream-zstd';
  if (streamZstd) await checkStreamZstd(format, baseEnv);

  const plan: DumpPlan = {
    settings,
    format,
    jobs,
    counts,
    filters: { ...filters, noUnloggedData: effect.noUnloggedData },
    rowSecurity: effect.enableRowSecurity,
    path,
    env,
    compressArgs,
    manifest: {
      kind: 'postgres',
      database: settings.connection.database,
      serverVersion: server.version,
      serverMajor: server.major,
      clientVersion: client.version,
      clientMajor: client.major,
      dumpFormat: format,
      compression: formatCompression(compression),
      ...(streamZstd ? { streamCompression: 'zstd' as const } : {}),
      counts,
    },
  };
  return {
    kind: 'postgres',
    defaultName: settings.connection.database,
    payloadFile: streamZstd ? STREAM_ZSTD_PAYLOAD_FILE : PAYLOAD_FILES[format],
    expectedSize: server.databaseSize,
    server,
    client: { ...client, path },
    format,
    compression,
    start: async (signal) => {
      if (!streamZstd) return startDump(plan, signal);
      return startCompressedDump(plan, compression.level ?? STREAM_ZSTD_DEFAULT_LEVEL, baseEnv, signal);
    },
  };
}

const zstdErrors = {
  missing: () => new DumpOptionError('`compression: stream-zstd` needs the `zstd` program on PATH or Node 22.15 or newer; neither is here.', 'Install zstd (`apt-get install zstd`), or set `compression: auto`.'),
  failed: (message: string) => new DumpError({ tool: 'zstd', exitCode: null, signal: null, stderrTail: '', message: `Compressing the dump failed: ${message}` }),
};

/** Refuses `stream-zstd` before any data is read when it cannot run or does not fit the format. */
async function checkStreamZstd(format: DumpFormat, env: Env): Promise<void> {
  if (format !== 'custom') {
    throw new DumpOptionError('`compression: stream-zstd` works with `format: custom`; a directory dump compresses each file in pg_dump\'s parallel workers.', 'Set `format: custom`, or a pg_dump method such as `compression: gzip:1` (zstd:1 with pg_dump 16+).');
  }
  if (!(await zstdAvailable(env))) throw zstdErrors.missing();
}

/**
 * pg_dump with a zstd stage after it. With the `zstd` program, pg_dump writes straight into
 * its stdin, so the uncompressed archive (bytea is twice its size there, in hex) never passes
 * through this process: on 1 GiB of random bytea that took a backup from 19.7 s to 12.6 s.
 * Node's zstd, when the program is missing, reads pg_dump's stdout here.
 */
async function startCompressedDump(plan: DumpPlan, level: number, env: Env, signal: AbortSignal): Promise<SourceRun> {
  const settings = { level, preferProgram: true, ...zstdErrors };
  const out = new PassThrough();
  if (await zstdProgramAvailable(env)) {
    const zstd = startZstdProgram('compress', env, settings);
    let run: SourceRun;
    try {
      run = await startDump(plan, signal, zstd.input);
    } catch (error) {
      zstd.kill();
      throw error;
    }
    return withCompression(run, out, pipeline(zstd.output, out), zstd.done, zstd.kill, signal);
  }
  const run = await startDump(plan, signal);
  const zstd = startZstd('compress', env, settings, 'node');
  return withCompression(run, out, pipeline(run.stream, zstd.stream, out), zstd.done, () => zstd.stream.destroy(), signal);
}

/**
 * Joins a dump and its zstd stage into one run reading `out`. A failing stage stops pg_dump
 * and fails the result; a failing pg_dump ends zstd's input, so zstd ends too and the failure
 * arrives through `result`; an abort or a reader that gives up stops both. An abort's reason
 * is the failure even when pg_dump had finished and only zstd's output was left to read.
 */
export function withCompression(run: SourceRun, out: PassThrough, piped: Promise<void>, done: Promise<void>, stopZstd: () => void, signal: AbortSignal): SourceRun {
  // Once stopped here (an abort, a failed dump, a reader that gave up), zstd's own failure is a consequence, not the cause.
  let stopping = false;
  // The first cause to fail. An abort is one even when pg_dump has already exited and only zstd's output remained.
  let failure: { error: unknown } | undefined;
  const stop = () => {
    stopping = true;
    stopZstd();
  };
  const aborted = (reason?: Error) => {
    failure ??= { error: reason ?? dumpStopped() };
    stop();
  };
  const onAbort = () => aborted(signal.reason instanceof Error ? signal.reason : undefined);
  const compressed = Promise.all([piped, done]).then(() => undefined);
  compressed.catch((error: unknown) => {
    run.abort(error instanceof Error ? error : new Error(String(error)));
    if (!out.destroyed) out.destroy();
  });
  out.on('close', () => {
    if (!out.readableEnded) stop();
  });
  signal.addEventListener('abort', onAbort, { once: true });
  // A failed dump makes zstd's output worthless: stop it rather than wait for a reader.
  run.result.catch(stop);
  const result = (async () => {
    try {
      // Both settle before the result does, so no program outlives the run; the first cause to fail is the failure.
      const noted = <T>(promise: Promise<T>, consequence: () => boolean) =>
        promise.catch((error: unknown) => {
          if (!consequence()) failure ??= { error };
          throw error;
        });
      const staged = compressed.catch((error: unknown) => {
        throw error instanceof LifeboatError ? error : zstdErrors.failed(error instanceof Error ? error.message : String(error));
      });
      const [dumped, compressing] = await Promise.allSettled([noted(run.result, () => false), noted(staged, () => stopping)]);
      if (failure) throw failure.error;
      if (compressing.status === 'rejected') throw compressing.reason;
      return (dumped as PromiseFulfilledResult<SourceResult>).value;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  })();
  result.catch(() => {});
  return {
    stream: out,
    result,
    abort: (reason?: Error) => {
      run.abort(reason);
      aborted(reason);
    },
  };
}

/** The failure of a dump stopped from outside without a reason. */
function dumpStopped(): DumpError {
  return new DumpError({ tool: 'pg_dump', exitCode: null, signal: null, stderrTail: '', message: 'The dump was stopped before it finished.' });
}

interface DumpPlan {
  settings: PostgresDumpSettings;
  format: DumpFormat;
  jobs: number;
  counts: CountMode;
  filters: TableFilters;
  rowSecurity: boolean;
  path: string;
  env: Record<string, string>;
  compressArgs: string[];
  manifest: PostgresManifestSection;
}

/** Starts pg_dump (with its snapshot and counts); `into`, another program's stdin, takes its output instead of the returned stream. */
async function startDump(plan: DumpPlan, signal: AbortSignal, into?: Writable): Promise<SourceRun> {
  signal.throwIfAborted();
  const { settings, counts } = plan;
  const connection = settings.connection;
  const reporter = settings.reporter;

  // The snapshot holder: its transaction defines what is counted and what pg_dump dumps.
  let holder: pg.Client | undefined;
  let snapshot: string | undefined;
  let tables: DumpedTable[] = [];
  if (counts !== 'off') {
    holder = await connect(connection);
    try {
      await holder.query(`SET idle_in_transaction_session_timeout = 0; SET statement_timeout = 0; SET row_security = ${plan.rowSecurity ? 'on' : 'off'}`);
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      snapshot = (await holder.query<{ id: string }>('SELECT pg_catalog.pg_export_snapshot() AS id')).rows[0]!.id;
      tables = await listDumpedTables(holder, plan.filters);
    } catch (error) {
      await holder.end().catch(() => {});
      throw queryError(error, connection);
    }
  }
  const closeHolder = async () => {
    if (!holder) return;
    const client = holder;
    holder = undefined;
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  };

  let workDir: string | undefined;
  try {
    if (plan.format === 'directory') {
      workDir = await createPrivateTempDir(settings.tempDir ?? tmpdir(), 'lifeboat-dump-');
    }
  } catch (error) {
    await closeHolder();
    throw error;
  }
  const removeWorkDir = async () => {
    if (!workDir) return;
    const dir = workDir;
    workDir = undefined;
    await removePrivateTempDir(dir);
  };

  const args = [
    ...(plan.format === 'custom' ? ['--format=custom'] : ['--format=directory', `--jobs=${plan.jobs}`, `--file=${join(workDir!, 'dump')}`, '--no-sync']),
    ...plan.compressArgs,
    ...(snapshot ? [`--snapshot=${snapshot}`] : []),
    '--no-password',
    ...(settings.noPrivileges ? ['--no-privileges'] : []),
    ...(settings.filters?.schemas ?? []).map((p) => `--schema=${p}`),
    ...(settings.filters?.excludeSchemas ?? []).map((p) => `--exclude-schema=${p}`),
    ...(settings.filters?.tables ?? []).map((p) => `--table=${p}`),
    ...(settings.filters?.excludeTables ?? []).map((p) => `--exclude-table=${p}`),
    ...(settings.filters?.excludeTableData ?? []).map((p) => `--exclude-table-data=${p}`),
    ...(settings.extraArgs ?? []),
  ];
  reporter?.debug(`Running ${plan.path} ${args.join(' ')} against ${describeConnection(connection)}`);

  const stream = new PassThrough();
  let stopped: Error | undefined;
  let current: ToolRun | undefined;
  const dump = spawnTool(plan.path, args, { env: plan.env, stdout: into ?? (plan.format === 'custom' ? 'pipe' : 'ignore') });
  current = dump;
  // pg_dump holds its own copy of the pipe now: the program after it sees the end when pg_dump exits.
  into?.destroy();

  // An internal failure ends the stream cleanly, so that a reader's pipeline completes and the
  // failure arrives once, through `result`; an abort from outside also destroys the stream.
  const stop = (reason: Error, destroyStream: boolean) => {
    if (stopped) return;
    stopped = reason;
    current?.kill();
    if (destroyStream && !stream.destroyed) stream.destroy();
    holder?.end().catch(() => {});
  };
  const abort = (reason?: Error) => stop(reason ?? dumpStopped(), true);
  const onAbort = () => abort(signal.reason instanceof Error ? signal.reason : undefined);
  signal.addEventListener('abort', onAbort, { once: true });

  // A reader that gives up (stream destroyed) must not leave pg_dump blocked on a full pipe.
  stream.on('close', () => {
    if (!stream.readableEnded) current?.kill();
  });
  const piped =
    plan.format === 'custom' && !into ? pipeline(dump.stdout!, stream).catch(() => dump.kill()) : Promise.resolve();

  const counted: Promise<TableRows[]> =
    counts === 'exact' && holder
      ? countTableRows(holder, tables.filter((t) => t.withData)).catch((error: unknown) => {
          throw queryError(error, connection);
        })
      : Promise.resolve(counts === 'estimate' ? estimatedRows(tables.filter((t) => t.withData)) : []);
  // A failed count stops the dump at once: the backup would be unverifiable.
  counted.catch((error: unknown) => stop(error instanceof Error ? error : new Error(String(error)), false));

  const run = async (): Promise<SourceResult> => {
    try {
      const exit = await dump.exit;
      if (stopped) throw stopped;
      if (!succeeded(exit)) throw dumpFailure('pg_dump', exit, connection);
      await piped;
      const rows = await counted;
      await closeHolder();
      if (plan.format === 'directory') {
        const tar = spawnTool('tar', ['-cf', '-', '-C', join(workDir!, 'dump'), '.'], { env: plan.env, stdout: 'pipe' });
        current = tar;
        if (stopped) tar.kill();
        await pipeline(tar.stdout!, stream).catch(() => tar.kill());
        const tarExit = await tar.exit;
        if (stopped) throw stopped;
        if (!succeeded(tarExit)) throw dumpFailure('tar', tarExit);
      }
      if (stopped) throw stopped;
      const stats: PostgresStats = {
        database: connection.database,
        counts,
        tables: rows,
        tablesWithoutData: tables.filter((t) => !t.withData).map(({ schema, name }) => ({ schema, name })),
      };
      return { manifest: plan.manifest, stats };
    } catch (error) {
      const failure = stopped ?? error;
      if (!stopped) stop(failure instanceof Error ? failure : new Error(String(failure)), false);
      throw failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await closeHolder();
      await removeWorkDir();
      // Custom format: stdout has ended with the process. Directory: end the stream if still open.
      if (!stream.writableEnded && !stream.destroyed) stream.end();
    }
  };
  const result = run();
  // Callers may abort without awaiting the result; the rejection is theirs to observe.
  result.catch(() => {});
  return { stream, result, abort };
}

/** Errors of queries on an open connection (permissions, RLS, lost connection). */
function queryError(error: unknown, connection: PostgresConnection): LifeboatError {
  if (error instanceof LifeboatError) return error;
  const err = error as { code?: string; message?: string };
  if (err.code === '42501') {
    return new DatabasePermissionError(
      `User '${connection.user}' lacks a privilege the row counts need: ${err.message}.`,
      /row-level security/i.test(err.message ?? '')
        ? 'Use a role with BYPASSRLS or the table owner (pg_dump needs the same), or add --enable-row-security to pg-dump-args.'
        : 'Grant SELECT on every table dumped and USAGE on their schemas (or pg_read_all_data on PostgreSQL 14+); pg_dump needs the same.',
      { cause: error },
    );
  }
  if (err.code === undefined || /^(08|28|3D|57P|53)/.test(err.code) || /^E[A-Z]+$/.test(err.code)) return connectionError(error, connection);
  return new SnapshotError(
    `Preparing the dump's snapshot and row counts failed: ${err.message ?? String(error)}.`,
    'Set `counts: off` to let pg_dump take its own snapshot (the backup then carries no row counts).',
    { cause: error },
  );
}
