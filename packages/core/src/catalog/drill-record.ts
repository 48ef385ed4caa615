import { z } from 'zod';
import { provenanceSchema } from './manifest.js';

/** The drill record format this version writes and reads. */
export const DRILL_RECORD_FORMAT = 1;

export const checkResultSchema = z.looseObject({
  name: z.string(),
  /** `table-exists`, `row-count`, `restore-errors`, `sql`, `rpo`, `rto`, ... */
  kind: z.string(),
  ok: z.boolean(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
  message: z.string().optional(),
});

/** How far the drilled backup's origin was proven: its manifest signature. */
export const authenticitySchema = z.looseObject({
  /** The manifest signature was checked against `signing-public-key` and is valid. */
  verified: z.boolean(),
  signedBy: z.string().optional(),
  /** The backup has a manifest signature at all. */
  signed: z.boolean(),
  /** `allow-unsigned` was set for the drill. */
  allowUnsigned: z.boolean(),
  /** The manifest says the backup is encrypted. */
  encrypted: z.boolean(),
});

export const phaseSchema = z.looseObject({
  /** `select`, `authenticate`, `download`, `verify`, `decrypt`, `restore`, `checks`. */
  name: z.string(),
  ok: z.boolean(),
  durationMs: z.number().nonnegative(),
  error: z.string().optional(),
});

/**
 * A drill's evidence, stored at `<name>/drills/<drill-id>.json`, with the drill's detached
 * signature of these exact bytes at `<drill-id>.json.sig` when it has a `signing-key`. No
 * secrets and no row data. The gate reads `verdict`, `finishedAt`, `backupId` and
 * `manifestSha256`; the rest is for humans and audits.
 */
export const drillRecordSchema = z.looseObject({
  format: z.literal(DRILL_RECORD_FORMAT),
  id: z.string(),
  name: z.string(),
  backupId: z.string().optional(),
  manifestSha256: z.string().optional(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  /** `inconclusive`: the operator's setup stopped the drill (wrong key, unreachable store or target); the gate skips it. */
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  /** One line: why the verdict is not `pass`. */
  failure: z.string().optional(),
  rpoMs: z.number().optional(),
  rtoMs: z.number().optional(),
  phases: z.array(phaseSchema).default([]),
  checks: z.array(checkResultSchema).default([]),
  versions: z.record(z.string(), z.string()).default({}),
  provenance: provenanceSchema.default({}),
  /** How far the backup's origin was proven; absent when no backup was selected or the record predates it. */
  authenticity: authenticitySchema.optional(),
  /** Where the backup was restored, e.g. `scratch database lifeboat_drill_x on db:5432 (PostgreSQL 16.4)`. */
  target: z.string().optional(),
  /** What the drill noticed besides checks: skipped incomplete backups, client choice, known issues. */
  notes: z.array(z.string()).optional(),
});

export type DrillRecord = z.infer<typeof drillRecordSchema>;
export type CheckResult = z.infer<typeof checkResultSchema>;
export type PhaseResult = z.infer<typeof phaseSchema>;
