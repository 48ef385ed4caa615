/** Benchmark sizes and choices from environment variables, with the documented defaults. */
import { availableParallelism } from 'node:os';
import type { DataVariant } from './bench-data.js';

/** What a benchmark run measures. */
export interface BenchSettings {
  /** Database size of the main runs, MiB (LIFEBOAT_BENCH_SIZE_MB, default 1024). */
  readonly sizeMiB: number;
  /** Second, smaller database for the peak-RSS comparison, MiB (LIFEBOAT_BENCH_SMALL_SIZE_MB, default 256; 0 skips it). */
  readonly smallSizeMiB: number;
  /** Data variants (LIFEBOAT_BENCH_VARIANTS, default `compressible,incompressible`). */
  readonly variants: readonly DataVariant[];
  /** Times each measurement is repeated; the median is printed (LIFEBOAT_BENCH_RUNS, default 1). */
  readonly runs: number;
  /** Whether to measure the S3 store against s3rver (LIFEBOAT_BENCH_S3, default `true`). */
  readonly s3: boolean;
  /** pg_dump workers of the `format: directory` run (LIFEBOAT_BENCH_DIRECTORY_JOBS, default the cores available; 0 skips it). */
  readonly directoryJobs: number;
}

/** Reads the settings; a malformed value stops the run naming the variable and what it takes. */
export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const variants = (env.LIFEBOAT_BENCH_VARIANTS ?? 'compressible,incompressible')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of variants) {
    if (v !== 'compressible' && v !== 'incompressible') {
      throw new Error(`LIFEBOAT_BENCH_VARIANTS: unknown variant "${v}"; use compressible, incompressible or both, comma-separated.`);
    }
  }
  const s3 = (env.LIFEBOAT_BENCH_S3 ?? 'true').trim().toLowerCase();
  if (s3 !== 'true' && s3 !== 'false') throw new Error(`LIFEBOAT_BENCH_S3 must be true or false, not "${s3}".`);
  return {
    sizeMiB: integer(env, 'LIFEBOAT_BENCH_SIZE_MB', 1024, 1),
    smallSizeMiB: integer(env, 'LIFEBOAT_BENCH_SMALL_SIZE_MB', 256, 0),
    variants: variants as DataVariant[],
    runs: integer(env, 'LIFEBOAT_BENCH_RUNS', 1, 1),
    s3: s3 === 'true',
    directoryJobs: integer(env, 'LIFEBOAT_BENCH_DIRECTORY_JOBS', availableParallelism(), 0),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${raw}".`);
  return value;
}

/** The median of some measurements (the lower middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
