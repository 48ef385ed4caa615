import { formatBytes, formatDuration } from '../options/values.js';

/** A progress line's numbers. */
export interface ProgressSample {
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Average rate since the start, bytes per second. */
  readonly rate: number;
}

/**
 * Calls `report` every `intervalMs` with the byte count `read()` returns, so long runs show
 * steady progress without logging per chunk. The timer never keeps the process alive.
 */
export function startProgress(
  read: () => number,
  report: (sample: ProgressSample) => void,
  intervalMs: number,
  now: () => number = Date.now,
): { stop(): ProgressSample } {
  const started = now();
  const sample = (): ProgressSample => {
    const elapsedMs = Math.max(now() - started, 1);
    const bytes = read();
    return { bytes, elapsedMs, rate: (bytes / elapsedMs) * 1000 };
  };
  const timer = setInterval(() => report(sample()), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return sample();
    },
  };
}

/** `1.2 GiB in 42.0s (29.3 MiB/s)`. */
export function formatProgress(sample: ProgressSample): string {
  return `${formatBytes(sample.bytes)} in ${formatDuration(sample.elapsedMs)} (${formatBytes(sample.rate)}/s)`;
}
