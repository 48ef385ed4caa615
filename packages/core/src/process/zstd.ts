import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Duplex, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { childEnv } from './child-env.js';
import { writeAll } from '../pipeline/stages.js';
import { runTool, spawnTool, type ToolRun } from './spawn-tool.js';

/** A running zstd filter: write in, read out; `done` settles once it finished or failed. */
export interface ZstdFilter {
  readonly stream: Duplex;
  readonly done: Promise<void>;
  /** `node:zlib` or `zstd -T0` (the program, on every core). */
  readonly via: 'node' | 'program';
}

/** How a zstd stage is run, and the errors its caller names. */
export interface ZstdSettings {
  /** Compression level (default 3). */
  readonly level?: number;
  /** Prefer the `zstd` program with `-T0` (every core) over node:zlib, which compresses on one thread. */
  readonly preferProgram?: boolean;
  /** The error when neither node:zlib zstd nor the program is here. */
  readonly missing: () => Error;
  /** The error when the stage failed (corrupt input, killed program). */
  readonly failed: (message: string, cause?: unknown) => Error;
}

type NodeZstd = { createZstdCompress?: (options?: zlib.ZlibOptions & { params?: Record<number, number> }) => Duplex; createZstdDecompress?: () => Duplex };

const programWorks = new Map<string, Promise<boolean>>();

/** Whether the `zstd` program runs here (asked once per PATH). */
export function zstdProgramAvailable(env: Record<string, string | undefined>): Promise<boolean> {
  const key = env.PATH ?? '';
  let known = programWorks.get(key);
  if (!known) {
    known = runTool('zstd', ['--version'], { env: childEnv(env), timeoutMs: 30_000 }).then(
      (r) => r.exitCode === 0,
      () => false,
    );
    programWorks.set(key, known);
  }
  return known;
}

/** Whether node:zlib has zstd (Node 22.15+, so the Node 24 actions). */
export function nodeHasZstd(): boolean {
  return typeof (zlib as unknown as NodeZstd).createZstdCompress === 'function';
}

/** Whether any zstd can run here: node:zlib's, or the program. */
export async function zstdAvailable(env: Record<string, string | undefined>): Promise<boolean> {
  return nodeHasZstd() || (await zstdProgramAvailable(env));
}

/**
 * A zstd stage. node:zlib's zstd runs on the libuv thread pool but on one thread (its
 * `nbWorkers` parameter crashes the stream on Node 24), so with `preferProgram` the `zstd`
 * program is used when present, multithreaded; either writes a standard zstd frame.
 */
export async function zstdFilter(direction: 'compress' | 'decompress', env: Record<string, string | undefined>, settings: ZstdSettings): Promise<ZstdFilter> {
  const program = settings.preferProgram ? await zstdProgramAvailable(env) : false;
  return startZstd(direction, env, settings, !program && nodeHasZstd() ? 'node' : 'program');
}

/** Starts a zstd stage on the given implementation (`zstdFilter` chooses it). */
export function startZstd(direction: 'compress' | 'decompress', env: Record<string, string | undefined>, settings: ZstdSettings, via: 'node' | 'program'): ZstdFilter {
  const level = settings.level ?? 3;
  if (via === 'node') {
    const z = zlib as unknown as Required<NodeZstd>;
    // A content checksum, as the zstd program writes by default: zstd -d then detects damage anywhere in the frame.
    const params = { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 1 };
    const stream = direction === 'compress' ? z.createZstdCompress({ params }) : z.createZstdDecompress();
    const done = new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', (error: Error) => reject(settings.failed(`zstd ${direction === 'compress' ? 'compression' : 'decompression'} failed: ${error.message}.`, error)));
    });
    done.catch(() => {});
    return { stream, done, via: 'node' };
  }
  const program = startZstdProgram(direction, env, settings);
  const stream = Duplex.from({ writable: program.input, readable: program.output });
  // A stage given up on (its stream destroyed) must not leave the program running.
  stream.on('close', () => {
    if (!stream.readableEnded) program.kill();
  });
  return { stream, done: program.done, via: 'program' };
}

/** The `zstd` program as a stage of its own: `input` may be handed to another program as its stdout. */
export interface ZstdProgram {
  /** The program's stdin, a pipe: write to it, or give it to another program (then destroy this end). */
  readonly input: Writable;
  readonly output: Readable;
  /** Settles once the program exited; rejects with `settings.failed` when it failed. */
  readonly done: Promise<void>;
  kill(): void;
}

/** Starts the `zstd` program (every core with `preferProgram`). */
export function startZstdProgram(direction: 'compress' | 'decompress', env: Record<string, string | undefined>, settings: ZstdSettings): ZstdProgram {
  const level = settings.level ?? 3;
  const args = direction === 'compress' ? ['-q', '-c', `-${level}`, ...(settings.preferProgram ? ['-T0'] : [])] : ['-q', '-d', '-c'];
  const { run, done } = spawnZstd(args, env, settings, 'pipe');
  return { input: run.stdin!, output: run.stdout!, done, kill: run.kill };
}

/** Spawns the `zstd` program fed through a pipe; `done` rejects with `settings.failed` when it did not exit cleanly. */
function spawnZstd(args: readonly string[], env: Record<string, string | undefined>, settings: ZstdSettings, stdout: 'pipe' | number): { run: ToolRun; done: Promise<void> } {
  const run = spawnTool('zstd', args, { env: childEnv(env), stdin: 'pipe', stdout, missing: settings.missing });
  run.stdin!.on('error', () => {});
  const done = run.exit.then((exit) => {
    if (exit.spawnError) throw exit.spawnError;
    if (exit.exitCode !== 0) throw settings.failed(`zstd ${exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.exitCode}`}${exit.stderrTail ? `: ${exit.stderrTail}` : ''}.`);
  });
  done.catch(() => {});
  return { run, done };
}

/** A decompression into a file, fed by its caller (see decompressToFile). */
export interface ZstdToFile {
  /** Write the compressed bytes here, then end it. */
  readonly input: Writable;
  /** Settles once the file is complete; rejects with `settings.failed` (and removes the file) when it failed. */
  readonly done: Promise<void>;
  /** Stops the decompression (input unfinished, or not to be trusted) and removes the file. */
  discard(): Promise<void>;
  readonly via: 'node' | 'program';
}

/** Chunk size of the Node fallback's file writes: the 16 KiB default made writing, not zstd, the pace. */
const FILE_CHUNK = 1 << 20;

/**
 * Decompresses what is written to `input` into a new private file `to`: the `zstd` program
 * when present, its output going straight to the file (no bytes through this process), else
 * node:zlib's zstd. A decompression that fails keeps accepting input and drops it, so that
 * whatever feeds it (a decryption) ends by its own checks, which may name a better cause;
 * `done` then rejects. A failure or a discard leaves no `to`.
 */
export async function decompressToFile(to: string, env: Record<string, string | undefined>, settings: ZstdSettings): Promise<ZstdToFile> {
  const viaProgram = await zstdProgramAvailable(env);
  if (!viaProgram && !nodeHasZstd()) throw settings.missing();
  let target: Writable;
  let finished: Promise<void>;
  let stop: () => void;
  if (viaProgram) {
    const file = await open(to, 'w', 0o600);
    try {
      const { run, done } = spawnZstd(['-q', '-d', '-c'], env, settings, file.fd);
      target = run.stdin!;
      stop = run.kill;
      finished = done;
    } finally {
      // The program has its own copy of the descriptor.
      await file.close();
    }
  } else {
    const z = zlib as unknown as Required<NodeZstd>;
    const stream = z.createZstdDecompress();
    target = stream;
    stop = () => stream.destroy();
    finished = pipeline(stream, createWriteStream(to, { mode: 0o600, highWaterMark: FILE_CHUNK })).catch((error: unknown) => {
      throw settings.failed(`zstd decompression failed: ${error instanceof Error ? error.message : String(error)}.`, error);
    });
  }
  let failed = false;
  const done = finished.catch(async (error: unknown) => {
    failed = true;
    await rm(to, { force: true });
    throw error;
  });
  done.catch(() => {});
  const input = new Writable({
    highWaterMark: FILE_CHUNK,
    write(chunk: Buffer, _encoding, callback) {
      if (failed) return callback();
      writeAll(target, chunk).then(
        () => callback(),
        () => callback(),
      );
    },
    final(callback) {
      if (!failed) target.end();
      callback();
    },
  });
  return {
    input,
    done,
    via: viaProgram ? 'program' : 'node',
    async discard() {
      input.destroy();
      stop();
      await done.catch(() => undefined);
      await rm(to, { force: true });
    },
  };
}
