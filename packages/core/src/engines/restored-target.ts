import type { CheckResult } from '../catalog/drill-record.js';

/**
 * A restored copy a drill checks, whatever the engine: a scratch database, a throwaway
 * server, or (for kinds with nothing to restore into) the verified archive itself. It stays
 * up until cleanup so the automatic and operator checks can see it.
 */
export interface RestoredTarget {
  /** For evidence: `throwaway redis-server 7.0.15 on 127.0.0.1:41234`, `scratch database … on host:port`. */
  readonly description: string;
  /** Versions for the evidence (`redis-server`: `7.0.15`, `pg_restore`: `16.4`, ...). */
  readonly versions: Record<string, string>;
  /** What the restore noticed (expired keys, a newer server than the backup's, known restore issues). */
  readonly notes: readonly string[];
  /** Checks the restore itself produced (redis-check-rdb, pg_restore's errors). */
  readonly checks: readonly CheckResult[];
  /** How checks and other members reach it: a URL and env vars (REDIS_URL, DATABASE_URL). */
  readonly endpoint: { readonly url?: string; readonly path?: string; readonly env: Record<string, string> };
  /** Stops the throwaway server (or drops the scratch database, empties the given server) unless kept; never throws. */
  cleanup(keep: boolean): Promise<void>;
}
