import type { OutputValue } from './reporter.js';

/** What an operation hands back to its adapter. */
export interface OperationOutcome {
  /** Published as action outputs and as fields of the CLI's `--json` document. */
  readonly outputs: Record<string, OutputValue | undefined>;
  /** False when the operation ran but its verdict is a failure (failed check, stale backup). */
  readonly ok: boolean;
  /** One line saying why `ok` is false; becomes the action's failure message. */
  readonly failure?: string;
  /** Structured result for `--json` (listings, plans, evidence). */
  readonly data?: unknown;
}
