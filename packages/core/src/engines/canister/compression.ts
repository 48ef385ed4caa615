import { spawnSync } from 'node:child_process';
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { childEnv } from '../../process/child-env.js';
import { spawnTool } from '../../process/spawn-tool.js';
import { CompressionError } from './errors.js';

/** Compression of an archive; the payload file name ends in its extension. */
export interface Compression {
  readonly kind: 'zstd' | 'gzip';
  /** What does the work: `node:zlib` (zstd on Node ≥ 22.15, gzip everywhere) or the `zstd` binary. */
  readonly via: 'node:zlib' | 'zstd-binary';
  /** `zst` or `gz`. */
  readonly extension: string;
}

/** A running compressor: write plaintext in, read compressed bytes out. */
export interface CompressorRun {
  readonly stream: Duplex;
  /** Settles once the compressor finished (the binary exited 0) or failed. */
  readonly done: Promise<void>;
}

/** Compression preference of a source; `auto` picks the best available. */
export type CompressionPreference = 'auto' | 'zstd' | 'gzip';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** True when this Node has zstd in `node:zlib` (Node ≥ 22.15, and so the Node 24 actions run on). */
export function nodeHasZstd(): boolean {
  return typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';
}

/** True when a working `zstd` binary is on PATH. */
export function zstdBinaryAvailable(binary = 'zstd'): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 10_000, env: childEnv(process.env) });
  return probe.status === 0;
}

/** zstd via node:zlib when available, else the `zstd` binary if present, else gzip. */
export function chooseCompression(preference: CompressionPreference = 'auto'): Compression {
  if (preference !== 'gzip') {
    if (nodeHasZstd()) return { kind: 'zstd', via: 'node:zlib', extension: 'zst' };
    if (zstdBinaryAvailable()) return { kind: 'zstd', via: 'zstd-binary', extension: 'zst' };
    if (preference === 'zstd') {
      throw new CompressionError(
        'zstd compression was asked for, but this Node has no zstd in node:zlib and no `zstd` binary is on PATH.',
        'Run on Node 22.15 or newer (the actions run on Node 24), install `zstd`, or use gzip.',
      );
    }
  }
  return { kind: 'gzip', via: 'node:zlib', extension: 'gz' };
}

/** Starts a compressor of the chosen kind. */
export function startCompressor(compression: Compression): CompressorRun {
  if (compression.via === 'zstd-binary') return spawnFilter('zstd', ['-q', '-c', '-3'], 'zstd compression');
  const stream =
    compression.kind === 'zstd'
      ? (zlib as unknown as { createZstdCompress(): Duplex }).createZstdCompress()
      : zlib.createGzip({ level: 6 });
  return { stream, done: readableDone(stream) };
}

/** Which compression a file starts with, from its magic bytes. */
export function detectCompression(head: Buffer): 'zstd' | 'gzip' | undefined {
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd';
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
  return undefined;
}

/** A decompressor for `kind`: node:zlib where it can, else the `zstd` binary. */
export function startDecompressor(kind: 'zstd' | 'gzip'): CompressorRun {
  if (kind === 'gzip') {
    const stream = zlib.createGunzip();
    return { stream, done: readableDone(stream) };
  }
  if (nodeHasZstd()) {
    const stream = (zlib as unknown as { createZstdDecompress(): Duplex }).createZstdDecompress();
    return { stream, done: readableDone(stream) };
  }
  if (!zstdBinaryAvailable()) {
    throw new CompressionError(
      'The archive is zstd-compressed, but this Node has no zstd in node:zlib and no `zstd` binary is on PATH.',
      'Run on Node 22.15 or newer, or install `zstd`.',
    );
  }
  return spawnFilter('zstd', ['-q', '-d', '-c'], 'zstd decompression');
}

/** Runs a filter program as a duplex stream; `done` rejects on a non-zero exit with its stderr. */
export function spawnFilter(program: string, args: string[], what: string): CompressorRun {
  const missing = (path: string) =>
    new CompressionError(`${what} could not start ${path}: it is not installed.`, `Install \`${program}\` or run on Node 22.15 or newer.`);
  const run = spawnTool(program, args, { env: childEnv(process.env), stdin: 'pipe', stdout: 'pipe', missing });
  const { child } = run;
  const stream = Duplex.from({ writable: run.stdin!, readable: run.stdout! });
  // A consumer that gives up must not leave the program running (after a normal end of its
  // output the program exits by itself, a moment later).
  stream.on('close', () => {
    if (!stream.readableEnded && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  const done = run.exit.then((exit) => {
    if (exit.spawnError) {
      throw exit.spawnError instanceof CompressionError
        ? exit.spawnError
        : new CompressionError(`${what} could not start ${program}: ${exit.spawnError.message}.`, `Install \`${program}\` or run on Node 22.15 or newer.`);
    }
    if (exit.exitCode === 0) return;
    const stderr = exit.stderrTail.trim();
    throw new CompressionError(
      `${what} failed: ${program} ${exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.exitCode}`}${stderr ? `: ${stderr}` : ''}.`,
      'See the message above; the stream may have been cut short by an earlier failure.',
    );
  });
  done.catch(() => {});
  return { stream, done };
}

/** Settles once the compressed side was read to its end (or the stream failed). */
function readableDone(stream: Duplex): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
    stream.once('close', () => {
      if (!stream.readableEnded) reject(new Error('The compressor was closed before it finished.'));
    });
  });
  done.catch(() => {});
  return done;
}

/** The file name of a payload: `export.ndjson` + `.zst`/`.gz`. */
export function payloadName(base: string, compression: Compression): string {
  return `${base}.${compression.extension}`;
}
