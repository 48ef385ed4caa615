import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { childEnv } from '../../process/child-env.js';
import { runTool, spawnTool } from '../../process/spawn-tool.js';
import { RedisError } from './errors.js';

/** A running zstd filter: write in, read out; `done` settles once it finished or failed. */
export interface ZstdFilter {
  readonly stream: Duplex;
  readonly done: Promise<void>;
}

type NodeZstd = { createZstdCompress?: () => Duplex; createZstdDecompress?: () => Duplex };

/**
 * zstd through node:zlib where Node has it (22.15+, and so the Node 24 actions), else the
 * `zstd` program, started with the allow-listed environment only.
 */
export function zstdFilter(direction: 'compress' | 'decompress', env: Record<string, string | undefined>): ZstdFilter {
  const native = (zlib as unknown as NodeZstd)[direction === 'compress' ? 'createZstdCompress' : 'createZstdDecompress'];
  if (typeof native === 'function') {
    const stream = native();
    const done = new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    done.catch(() => {});
    return { stream, done };
  }
  const run = spawnTool('zstd', direction === 'compress' ? ['-q', '-c', '-3'] : ['-q', '-d', '-c'], {
    env: childEnv(env),
    stdin: 'pipe',
    stdout: 'pipe',
    missing: () =>
      new RedisError('zstd-missing', `zstd ${direction === 'compress' ? 'compression' : 'decompression'} needs Node 22.15 or newer, or the \`zstd\` program on PATH; neither is here.`, 'Install zstd, run on Node 22.15 or newer, or set `redis-compression: none`'),
  });
  run.stdin!.on('error', () => {});
  const stream = Duplex.from({ writable: run.stdin!, readable: run.stdout! });
  stream.on('close', () => {
    if (!stream.readableEnded) run.kill();
  });
  const done = run.exit.then((exit) => {
    if (exit.spawnError) throw exit.spawnError;
    if (exit.exitCode !== 0) throw new RedisError('zstd-failed', `zstd ${exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.exitCode}`}${exit.stderrTail ? `: ${exit.stderrTail}` : ''}.`);
  });
  done.catch(() => {});
  return { stream, done };
}

/** Fails now, before any data is read, when zstd cannot run here (no node:zlib zstd, no `zstd` program). */
export async function assertZstdAvailable(env: Record<string, string | undefined>): Promise<void> {
  if (typeof (zlib as unknown as NodeZstd).createZstdCompress === 'function') return;
  const works = (await runTool('zstd', ['--version'], { env: childEnv(env), timeoutMs: 30_000 })).exitCode === 0;
  if (!works) {
    throw new RedisError('zstd-missing', '`redis-compression: zstd` needs Node 22.15 or newer, or the `zstd` program on PATH; neither is here.', 'Install zstd, run on Node 22.15 or newer, or set `redis-compression: none`');
  }
}
