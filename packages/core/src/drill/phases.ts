import type { PhaseResult } from '../catalog/drill-record.js';
import { describeError } from '../report/errors.js';

/** Times named phases and records how each ended; the first failure stops the drill. */
export class PhaseRecorder {
  readonly phases: PhaseResult[] = [];
  /** The first failed phase, if any. */
  failed: PhaseResult | undefined;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /**
   * Runs `fn` as phase `name`; rethrows its error after recording it. `detail` is recorded with
   * it, e.g. `{ concurrentWith: 'decrypt' }` for a verification the next phase ran alongside.
   */
  async run<T>(name: string, fn: () => Promise<T>, detail?: Readonly<Record<string, string>>): Promise<T> {
    const started = this.clock();
    try {
      const value = await fn();
      this.phases.push({ name, ok: true, durationMs: Math.round(this.clock() - started), ...detail });
      return value;
    } catch (error) {
      const phase = { name, ok: false, durationMs: Math.round(this.clock() - started), error: describeError(error), ...detail };
      this.phases.push(phase);
      this.failed ??= phase;
      throw error;
    }
  }

  /** Duration of a finished phase, 0 when it did not run. */
  duration(name: string): number {
    return this.phases.find((p) => p.name === name)?.durationMs ?? 0;
  }
}
