import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { MemoryReporter, type BackupSource, type RunContext, type SourceResult } from '@lifeboat/core';

/** A run context over a memory reporter, as a library caller builds it. */
export function testContext(env: Record<string, string | undefined> = process.env): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { reporter, env, surface: 'library', tempDir: tmpdir(), now: () => new Date() };
}

/** A fresh temp folder and its removal. */
export async function tempFolder(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'lifeboat-canister-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Consumes a source the way the backup pipeline does (stream to the end, then `result`) and
 * writes the payload to `file`. Rejects with the source's error.
 */
export async function drainSource(source: BackupSource, file: string, signal = new AbortController().signal): Promise<SourceResult> {
  const run = await source.start(signal);
  run.result.catch(() => {});
  await pipeline(run.stream, createWriteStream(file));
  return run.result;
}

/** Decompresses a zstd or gzip file (zstd with the `zstd` binary, independent of the code under test). */
export function decompressed(file: string, kind: 'zstd' | 'gzip'): Readable {
  if (kind === 'gzip') return createReadStream(file).pipe(createGunzip());
  const child = spawn('zstd', ['-q', '-d', '-c', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  return child.stdout;
}

/** Every NDJSON record of a compressed archive, parsed. */
export async function readRecords(file: string, kind: 'zstd' | 'gzip'): Promise<Record<string, any>[]> {
  const records: Record<string, any>[] = [];
  for await (const line of createInterface({ input: decompressed(file, kind), crlfDelay: Infinity })) {
    records.push(JSON.parse(line) as Record<string, any>);
  }
  return records;
}
