import { spawnTool } from './client-tool.js';
import { DumpOptionError } from './errors.js';

/**
 * A compression method: pg_dump's own, written into its archive, or `stream-zstd`: pg_dump
 * writes no compression (-Z0) and Lifeboat compresses the whole archive stream with zstd
 * beside it (the `zstd` program on every core), so compressing no longer runs in series with
 * reading. The payload is then a standard zstd frame around the archive (`db.pgdump.zst`).
 */
export type CompressionMethod = 'none' | 'gzip' | 'lz4' | 'zstd' | 'stream-zstd';

/** What the operator asked for: `auto`, or a method with an optional level. */
export interface CompressionSetting {
  readonly method: 'auto' | CompressionMethod;
  readonly level?: number;
}

/** A concrete choice, as passed to pg_dump and recorded in the manifest. */
export interface ResolvedCompression {
  readonly method: CompressionMethod;
  readonly level?: number;
}

const LEVELS: Record<Exclude<CompressionMethod, 'none'>, [number, number]> = {
  gzip: [1, 9],
  lz4: [1, 12],
  zstd: [1, 22],
  'stream-zstd': [1, 19],
};

/** Level of `stream-zstd` when none is given: level 1 keeps pace with encryption on 2 cores. */
export const STREAM_ZSTD_DEFAULT_LEVEL = 1;

/** First pg_dump major that can write lz4 and zstd (and takes `--compress=method:level`). */
export const LZ4_ZSTD_MIN_MAJOR = 16;

/**
 * What `auto` picks for `format: directory` (whose files pg_dump's workers compress), fastest
 * good choice first. Measured with scripts/bench/pg-dump-compression.mjs on 2 cores (256 MiB,
 * half rows, half random bytes): pg_dump 15's default gzip (-Z6) ran at 20 MiB/s, -Z1 at
 * 44 MiB/s for a 3% larger archive, zstd -1 at ~170 MiB/s and smaller than any gzip level.
 * For `format: custom`, `auto` is `stream-zstd:1` (AUTO_CUSTOM): compression beside pg_dump
 * rather than in series with its reading, on every core, with any pg_dump.
 */
const AUTO_PREFERENCE: readonly ResolvedCompression[] = [
  { method: 'zstd', level: 1 },
  { method: 'lz4', level: 1 },
  { method: 'gzip', level: 1 },
];

/**
 * `auto` for the custom format. On 1 GiB databases, pg_dump 15, 2 cores (scripts/bench/backup.bench.ts):
 * 1.3x faster than gzip:1 inside pg_dump on compressible rows, 4x on random bytea, and smaller.
 */
export const AUTO_CUSTOM: ResolvedCompression = { method: 'stream-zstd', level: STREAM_ZSTD_DEFAULT_LEVEL };

/** Parses `auto`, `none`, `gzip`, `gzip:6`, `lz4:1`, `zstd:3`, `stream-zstd:1`; undefined when malformed. */
export function parseCompression(text: string): CompressionSetting | undefined {
  const match = /^\s*(auto|none|gzip|lz4|zstd|stream-zstd)(?::(\d+))?\s*$/i.exec(text);
  if (!match) return undefined;
  const method = match[1]!.toLowerCase() as CompressionSetting['method'];
  if (match[2] === undefined) return { method };
  if (method === 'auto' || method === 'none') return undefined;
  const level = Number(match[2]);
  const [min, max] = LEVELS[method];
  return level >= min && level <= max ? { method, level } : undefined;
}

/** `zstd:1`, `gzip`, `none`: the form the manifest records and operators write. */
export function formatCompression(compression: CompressionSetting): string {
  return compression.level === undefined ? compression.method : `${compression.method}:${compression.level}`;
}

/** pg_dump arguments for a compression choice, in the syntax the client major understands. */
export function compressionArgs(compression: ResolvedCompression, clientMajor: number): string[] {
  // Lifeboat compresses the stream: pg_dump writes none (both syntaxes take 0).
  if (compression.method === 'stream-zstd') return ['--compress=0'];
  if (clientMajor >= LZ4_ZSTD_MIN_MAJOR) return [`--compress=${formatCompression(compression)}`];
  switch (compression.method) {
    case 'none':
      return ['--compress=0'];
    case 'gzip':
      return compression.level === undefined ? [] : [`--compress=${compression.level}`];
    default:
      throw unsupported(compression, clientMajor);
  }
}

/**
 * Turns the operator's setting into what this pg_dump can write: `auto` becomes AUTO_CUSTOM
 * for the custom format, else the fastest good method the client supports (probed, since a
 * build may lack lz4/zstd); an explicit method the client cannot write is refused before any
 * data is read.
 */
export async function resolveCompression(
  setting: CompressionSetting,
  client: { path: string; major: number; env: Record<string, string> },
  format: 'custom' | 'directory' = 'custom',
): Promise<ResolvedCompression> {
  if (setting.method === 'auto' && format === 'custom') return AUTO_CUSTOM;
  if (setting.method === 'stream-zstd') return { method: 'stream-zstd', level: setting.level ?? STREAM_ZSTD_DEFAULT_LEVEL };
  if (setting.method !== 'auto') {
    const wanted = setting as ResolvedCompression;
    if (wanted.method === 'lz4' || wanted.method === 'zstd') {
      if (client.major < LZ4_ZSTD_MIN_MAJOR) throw unsupported(wanted, client.major);
      if (!(await clientSupports(client, wanted.method))) throw unsupportedBuild(wanted, client.path);
    }
    return wanted;
  }
  for (const candidate of AUTO_PREFERENCE) {
    if (candidate.method !== 'lz4' && candidate.method !== 'zstd') return candidate;
    if (client.major >= LZ4_ZSTD_MIN_MAJOR && (await clientSupports(client, candidate.method))) return candidate;
  }
  return { method: 'gzip', level: 1 };
}

const support = new Map<string, Promise<boolean>>();

/**
 * Whether this pg_dump build can write `method`. pg_dump checks the compression option
 * before connecting, so a run against a socket that cannot exist answers in milliseconds
 * without touching any server.
 */
function clientSupports(client: { path: string; env: Record<string, string> }, method: 'lz4' | 'zstd'): Promise<boolean> {
  const key = `${client.path}\0${method}`;
  let known = support.get(key);
  if (!known) {
    const env: Record<string, string> = { ...client.env, PGCONNECT_TIMEOUT: '1' };
    delete env.PGPASSWORD;
    const run = spawnTool(
      client.path,
      ['--format=custom', `--compress=${method}`, '--schema-only', '--no-password', `--dbname=host=/nonexistent-lifeboat-probe port=1 dbname=probe`],
      { env },
    );
    known = run.exit.then((exit) => !/does not support compression|not built with/i.test(exit.stderrTail));
    support.set(key, known);
  }
  return known;
}

function unsupported(compression: ResolvedCompression, clientMajor: number): DumpOptionError {
  return new DumpOptionError(
    `pg_dump ${clientMajor} cannot write ${compression.method} compression; lz4 and zstd need pg_dump ${LZ4_ZSTD_MIN_MAJOR} or newer.`,
    `Set \`compression: auto\` (or gzip/none), or use a newer client with \`postgres-client-version: ${LZ4_ZSTD_MIN_MAJOR}\` or later.`,
  );
}

function unsupportedBuild(compression: ResolvedCompression, path: string): DumpOptionError {
  return new DumpOptionError(
    `This pg_dump build (${path}) was compiled without ${compression.method} support.`,
    'Set `compression: auto` (or gzip/none), or install a PostgreSQL client built with lz4 and zstd (PGDG and Debian packages are).',
  );
}
