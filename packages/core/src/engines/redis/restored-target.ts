import type { CheckResult } from '../../catalog/drill-record.js';

/** A restored copy a drill checks; stays up until cleanup so other checks can see it too. */
export interface RestoredTarget {
  /** For evidence: `throwaway redis-server 7.0.15 on 127.0.0.1:41234`. */
  readonly description: string;
  /** Versions for the evidence (`redis-server`: `7.0.15`, ...). */
  readonly versions: Record<string, string>;
  /** What the restore noticed (expired keys, a newer server than the backup's). */
  readonly notes: readonly string[];
  /** Checks the restore itself produced (redis-check-rdb). */
  readonly checks: readonly CheckResult[];
  /** How checks and other members reach it: a URL and env vars (REDIS_URL). */
  readonly endpoint: { readonly url?: string; readonly path?: string; readonly env: Record<string, string> };
  /** Stops the throwaway server (or empties the given one) unless kept; never throws. */
  cleanup(keep: boolean): Promise<void>;
}
