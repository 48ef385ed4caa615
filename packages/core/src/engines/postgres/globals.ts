import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Reporter } from '../../report/reporter.js';
import type { BackupSource, SourceRun } from '../source.js';
import { clientVersion, spawnTool, toolPath } from './client-tool.js';
import { connectionEnv, dbnameConninfo, describeConnection, withConnection, type PostgresConnection } from './connection.js';
import { dumpFailure, succeeded } from './dump-failure.js';
import { DumpError, VersionMismatchError } from './errors.js';
import { queryServerInfo, type ServerInfo } from './server-info.js';
import type { PostgresManifestSection } from './source.js';

type Env = Record<string, string | undefined>;

/** Payload name of a globals backup (before `.pgp`). */
export const GLOBALS_PAYLOAD_FILE = 'globals.sql';

/** Settings of a roles-and-tablespaces backup (`pg_dumpall --globals-only`). */
export interface PostgresGlobalsSettings {
  readonly connection: PostgresConnection;
  /** Folder holding pg_dumpall; PATH when absent. */
  readonly binDir?: string;
  /** Include role password hashes (needs a superuser; managed services refuse). Default true. */
  readonly rolePasswords?: boolean;
  readonly env?: Env;
  readonly reporter?: Reporter;
}

/** A prepared globals source. */
export interface PostgresGlobalsSource extends BackupSource {
  readonly kind: 'postgres';
  readonly server: ServerInfo;
  readonly client: { readonly version: string; readonly major: number; readonly path: string };
}

/**
 * Prepares a backup of what lives outside any database (roles, memberships, tablespaces) as
 * plain SQL, restored with psql before the databases. `defaultName` is `globals`.
 */
export async function createPostgresGlobalsSource(settings: PostgresGlobalsSettings): Promise<PostgresGlobalsSource> {
  const path = toolPath('pg_dumpall', settings.binDir);
  const baseEnv = settings.env ?? process.env;
  const client = await clientVersion(path, baseEnv);
  const server = await withConnection(settings.connection, queryServerInfo);
  if (server.major > client.major) throw new VersionMismatchError(server, client, 'pg_dumpall');
  const env = connectionEnv(settings.connection, baseEnv);
  const manifest: PostgresManifestSection = {
    kind: 'postgres',
    database: settings.connection.database,
    serverVersion: server.version,
    serverMajor: server.major,
    clientVersion: client.version,
    clientMajor: client.major,
    dumpFormat: 'globals-sql',
    compression: 'none',
    counts: 'off',
  };
  const args = [
    '--globals-only',
    '--no-password',
    `--dbname=${dbnameConninfo(settings.connection.database)}`,
    ...(settings.rolePasswords === false ? ['--no-role-passwords'] : []),
  ];
  return {
    kind: 'postgres',
    defaultName: 'globals',
    payloadFile: GLOBALS_PAYLOAD_FILE,
    server,
    client: { ...client, path },
    async start(signal: AbortSignal): Promise<SourceRun> {
      signal.throwIfAborted();
      settings.reporter?.debug(`Running ${path} ${args.join(' ')} against ${describeConnection(settings.connection)}`);
      const dump = spawnTool(path, args, { env, stdout: 'pipe' });
      const stream = new PassThrough();
      let stopped: Error | undefined;
      const abort = (reason?: Error) => {
        if (stopped) return;
        stopped = reason ?? new DumpError({ tool: 'pg_dumpall', exitCode: null, signal: null, stderrTail: '', message: 'The globals dump was stopped before it finished.' });
        dump.kill();
        if (!stream.destroyed) stream.destroy();
      };
      const onAbort = () => abort(signal.reason instanceof Error ? signal.reason : undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      const piped = pipeline(dump.stdout!, stream).catch(() => dump.kill());
      const result = (async () => {
        try {
          const exit = await dump.exit;
          await piped;
          if (stopped) throw stopped;
          if (!succeeded(exit)) throw dumpFailure('pg_dumpall', exit, settings.connection);
          return { manifest, stats: {} };
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      })();
      result.catch(() => {});
      return { stream, result, abort };
    },
  };
}
