import type { DrillVerdictName } from '../catalog/catalog.js';
import type { CheckResult, PhaseResult } from '../catalog/drill-record.js';
import { formatDuration } from '../options/values.js';

export type { DrillVerdictName };

/** What stopped a drill before it finished. */
export interface DrillStop {
  /** The phase it stopped in; undefined when it stopped checking its setup, before any phase ran. */
  readonly phase?: string;
  /** The error's stable code (`LifeboatError.code`), when it has one. */
  readonly code?: string;
  /** One line for the evidence: what stopped it and what to do. */
  readonly message: string;
}

/** Everything the verdict is decided from. */
export interface DrillVerdictInput {
  readonly phases: readonly PhaseResult[];
  /** The automatic and operator checks that ran (RPO/RTO target checks are added here). */
  readonly checks: readonly CheckResult[];
  readonly stop?: DrillStop;
  readonly targets: { readonly maxRpo?: number; readonly maxRto?: number };
  /** Backup age at drill time; undefined when no backup was selected or its age is unknown. */
  readonly rpoMs?: number;
  /** Why the selected backup's age is unknown (e.g. it is dated in the future). */
  readonly rpoUnknown?: string;
  readonly rtoMs: number;
}

/** The decision, with the RPO/RTO checks it made and every reason it is not a pass. */
export interface DrillVerdict {
  readonly verdict: DrillVerdictName;
  /** One sentence per reason the verdict is not `pass`; empty for a pass. */
  readonly reasons: readonly string[];
  /** One line for the record and the outcome, when the verdict is not `pass`. */
  readonly failure?: string;
  /** The `rpo` and `rto` checks against the targets, to record with the others. */
  readonly targetChecks: readonly CheckResult[];
}

/**
 * Error codes that mean the operator's setup stopped the drill, not the backup: missing or
 * wrong keys and secrets, a store or restore target that cannot be reached or used, tools
 * the machine lacks. Not here on purpose: anything about the backup's authenticity or bytes
 * (a forged or damaged backup must fail, never be skipped), and a store without backups.
 */
const SETUP_CODES = new Set([
  'invalid-option',
  'unsupported',
  'no-decryption-key',
  'invalid-private-key',
  'wrong-key-passphrase',
  'wrong-decryption-key',
  'wrong-passphrase',
  'invalid-passphrase',
  'signature-no-keys',
  'store-unreachable',
  'storage-permission-denied',
  's3-access-denied',
  's3-invalid-credentials',
  's3-no-credentials',
  's3-no-such-bucket',
  's3-wrong-region',
  'invalid-database-url',
  'database-unreachable',
  'database-auth-failed',
  'database-not-found',
  'database-connection-failed',
  'database-permission-denied',
  'restore-target',
  'restore-target-too-old',
  'target-too-old',
  'tool-missing',
  'pg-tool-missing',
  'postgres-client-missing',
  'postgres-client-install-failed',
  'postgres-client-too-old',
  'postgres-server-missing',
  'docker-unavailable',
  'docker-postgres-failed',
  'ephemeral-postgres-failed',
  'no-ephemeral-postgres',
  'invalid-redis-url',
  'redis-unreachable',
  'redis-auth-failed',
  'redis-noauth',
  'redis-tls-failed',
  'redis-permission-denied',
  'redis-target-not-empty',
  'redis-server-unavailable',
  'redis-server-start-failed',
  'invalid-redis-check',
]);

/** True when what stopped the drill is the operator's setup rather than the backup. */
export function stoppedBySetup(stop: DrillStop): boolean {
  // Before any phase, only the drill's own configuration was being checked.
  if (stop.phase === undefined) return true;
  if (stop.code === undefined) return false;
  return SETUP_CODES.has(stop.code) || stop.code.startsWith('public-key-');
}

/**
 * Decides a drill: `fail` when the backup does not restore (a phase stopped it for a reason
 * of the backup's) or any check failed, RPO/RTO targets included; `inconclusive` when only the
 * operator's setup stopped it (wrong identity, missing key or secret, unreachable store or
 * target); else `pass`. Pure: the RTO target is checked only for a drill that ran to the end.
 */
export function drillVerdict(input: DrillVerdictInput): DrillVerdict {
  const { targets, stop } = input;
  const targetChecks: CheckResult[] = [];
  if (targets.maxRpo !== undefined && input.rpoMs !== undefined) {
    targetChecks.push({ name: 'RPO within target', kind: 'rpo', ok: input.rpoMs <= targets.maxRpo, expected: `<= ${formatDuration(targets.maxRpo)}`, actual: formatDuration(input.rpoMs) });
  } else if (targets.maxRpo !== undefined && input.rpoUnknown) {
    targetChecks.push({ name: 'RPO within target', kind: 'rpo', ok: false, expected: `<= ${formatDuration(targets.maxRpo)}`, actual: 'unknown', message: input.rpoUnknown });
  }
  const failedPhase = input.phases.find((p) => !p.ok);
  const stoppedBy = stop ?? (failedPhase && { phase: failedPhase.name, message: `${failedPhase.name} failed: ${failedPhase.error ?? 'no reason recorded'}` });
  if (targets.maxRto !== undefined && !stoppedBy) {
    targetChecks.push({ name: 'RTO within target', kind: 'rto', ok: input.rtoMs <= targets.maxRto, expected: `<= ${formatDuration(targets.maxRto)}`, actual: formatDuration(input.rtoMs) });
  }

  const failedChecks = [...input.checks, ...targetChecks].filter((c) => !c.ok);
  const checkReason = failedChecks.length > 0 ? describeFailedChecks(failedChecks) : undefined;
  if (!stoppedBy && !checkReason) return { verdict: 'pass', reasons: [], targetChecks };
  const bySetup = stoppedBy !== undefined && stoppedBySetup(stoppedBy);
  // A failed check is a fact about the backup even when the setup stopped the drill later: it leads.
  const reasons = bySetup ? [checkReason, stoppedBy.message] : [stoppedBy?.message, checkReason];
  const present = reasons.filter((r): r is string => r !== undefined);
  return { verdict: bySetup && !checkReason ? 'inconclusive' : 'fail', reasons: present, failure: present[0], targetChecks };
}

function describeFailedChecks(failed: readonly CheckResult[]): string {
  const shown = failed
    .slice(0, 5)
    .map((c) => `${c.name} (expected ${show(c.expected)}, got ${show(c.actual)}${c.message ? `: ${c.message}` : ''})`)
    .join('; ');
  return `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${shown}${failed.length > 5 ? '; ...' : ''}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
