/**
 * The report model: what `lifeboat report` says about a store's history, as plain data. The
 * JSON format is this model; the Markdown and HTML renderers only present it. Pure: catalogs
 * come in, already read (and their drill records checked against `signing-public-key`).
 */
import { backupIdTime } from '../catalog/backup-id.js';
import type { NameCatalog } from '../catalog/catalog.js';
import { CONTROL_REFERENCES, controlLines, overdue, type ControlLine, type DrillPoint, type Overdue, type Targets } from './controls.js';

/** The report model format this version writes. */
export const REPORT_FORMAT = 1;

/** One complete backup, as the report shows it. */
export interface ReportBackup {
  name: string;
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Bytes the store holds in the backup's folder. */
  sizeBytes: number;
  kind: string;
  encryption: string;
}

/** A check a drill failed. */
export interface ReportCheck {
  name: string;
  kind: string;
  expected?: unknown;
  actual?: unknown;
  message?: string;
}

/** One trusted drill record, as the report shows it. */
export interface ReportDrill {
  name: string;
  id: string;
  backupId?: string;
  manifestSha256?: string;
  startedAt: string;
  finishedAt: string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  failure?: string;
  rpoMs?: number;
  rtoMs?: number;
  phases: { name: string; durationMs: number; ok: boolean }[];
  failedChecks: ReportCheck[];
  /** `verified`: signed by a key in `signing-public-key`; `unchecked`: no keys were given. */
  signature: 'verified' | 'unchecked';
  signedBy?: string;
}

/** A drill record left out of the verdicts, and why. */
export interface RejectedDrill {
  name: string;
  key: string;
  /** `unsigned`: no signature while `signing-public-key` is set; `untrusted`: its signature does not verify, or it cannot be read. */
  reason: 'unsigned' | 'untrusted';
  problem: string;
  /** The time the record's file name (a drill id) encodes; absent when it is no drill id. */
  at?: string;
}

/** A control line of one backup name. */
export interface ReportControlLine extends ControlLine {
  name: string;
}

/** Everything the report says. */
export interface ReportModel {
  format: typeof REPORT_FORMAT;
  generatedAt: string;
  store: string;
  names: string[];
  since: string;
  targets: Targets;
  /** Whether drill records were checked against `signing-public-key`. */
  signatures: 'checked' | 'unchecked';
  totals: {
    backups: number;
    drills: number;
    pass: number;
    fail: number;
    inconclusive: number;
    rejected: number;
    controlsMissed: number;
    overdue: number;
  };
  /** Oldest first. */
  backups: ReportBackup[];
  /** Oldest first (by finish time). */
  drills: ReportDrill[];
  rejected: RejectedDrill[];
  controls: {
    /** The control references the lines support: references, not a certification claim. */
    references: string[];
    month: ReportControlLine[];
    quarter: ReportControlLine[];
  };
  overdue: Overdue[];
}

/** What the model is built from. */
export interface ReportInput {
  store: string;
  catalogs: readonly NameCatalog[];
  since: Date;
  now: Date;
  targets: Targets;
  signaturesChecked: boolean;
}

/**
 * Builds the report model. Backups and drills listed are those of the period (from `since`);
 * the control lines cover every month and quarter from the one holding `since` to now, and
 * read the whole drill history so cadence at the period's start knows the drill before it.
 * Overdue looks at the newest evidence, whenever it is.
 */
export function buildReportModel(input: ReportInput): ReportModel {
  const { catalogs, since, now, targets } = input;
  const inPeriod = (time: Date) => time.getTime() >= since.getTime() && time.getTime() <= now.getTime();
  const backups: ReportBackup[] = [];
  const drills: ReportDrill[] = [];
  const rejected: RejectedDrill[] = [];
  const month: ReportControlLine[] = [];
  const quarter: ReportControlLine[] = [];
  const latest = [];
  for (const catalog of catalogs) {
    const complete = catalog.backups.filter((b) => b.state === 'complete' && b.manifest);
    for (const backup of complete) {
      if (!inPeriod(backup.time)) continue;
      const manifest = backup.manifest!;
      backups.push({
        name: catalog.name,
        id: backup.id,
        startedAt: manifest.startedAt,
        finishedAt: manifest.finishedAt,
        durationMs: manifest.durationMs,
        sizeBytes: backup.size,
        kind: manifest.source.kind,
        encryption: manifest.encryption.scheme,
      });
    }
    for (const drill of catalog.drills) {
      if (!inPeriod(drill.finishedAt)) continue;
      const record = drill.record;
      drills.push({
        name: catalog.name,
        id: drill.id,
        ...(drill.backupId !== undefined && { backupId: drill.backupId }),
        ...(drill.manifestSha256 !== undefined && { manifestSha256: drill.manifestSha256 }),
        startedAt: drill.startedAt.toISOString(),
        finishedAt: drill.finishedAt.toISOString(),
        verdict: drill.verdict,
        ...(drill.failure !== undefined && { failure: drill.failure }),
        ...(record.rpoMs !== undefined && { rpoMs: record.rpoMs }),
        ...(record.rtoMs !== undefined && { rtoMs: record.rtoMs }),
        phases: record.phases.map((p) => ({ name: p.name, durationMs: p.durationMs, ok: p.ok })),
        failedChecks: record.checks
          .filter((c) => !c.ok)
          .map((c) => ({
            name: c.name,
            kind: c.kind,
            ...(c.expected !== undefined && { expected: c.expected }),
            ...(c.actual !== undefined && { actual: c.actual }),
            ...(c.message !== undefined && { message: c.message }),
          })),
        signature: drill.signature,
        ...(drill.signedBy !== undefined && { signedBy: drill.signedBy }),
      });
    }
    for (const [reason, list] of [['unsigned', catalog.rejectedDrills], ['untrusted', catalog.unreadableDrills]] as const) {
      for (const r of list) {
        const at = backupIdTime(r.key.slice(r.key.lastIndexOf('/') + 1, -'.json'.length));
        // A record dated outside the period is not part of it; one without a date might be.
        if (at && !inPeriod(at)) continue;
        rejected.push({ name: catalog.name, key: r.key, reason, problem: r.problem, ...(at && { at: at.toISOString() }) });
      }
    }

    const points: DrillPoint[] = catalog.drills.map((d) => ({
      id: d.id,
      finishedAt: d.finishedAt.toISOString(),
      verdict: d.verdict,
      ...(d.record.rpoMs !== undefined && { rpoMs: d.record.rpoMs }),
      ...(d.record.rtoMs !== undefined && { rtoMs: d.record.rtoMs }),
      ...(d.manifestSha256 !== undefined && { manifestSha256: d.manifestSha256 }),
    }));
    for (const [kind, lines] of [['month', month], ['quarter', quarter]] as const) {
      for (const line of controlLines(points, targets, kind, since, now)) lines.push({ name: catalog.name, ...line });
    }
    const lastPass = catalog.drills.find((d) => d.verdict === 'pass' && d.finishedAt.getTime() <= now.getTime());
    const lastBackup = complete.find((b) => b.time.getTime() <= now.getTime());
    latest.push({
      name: catalog.name,
      ...(lastPass && { lastPassingDrillAt: lastPass.finishedAt.toISOString() }),
      ...(lastBackup && { lastBackupAt: lastBackup.time.toISOString() }),
    });
  }
  backups.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || compare(a.name, b.name));
  drills.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt) || compare(a.name, b.name));
  rejected.sort((a, b) => compare(a.key, b.key));
  const late = overdue(latest, targets, now);
  const count = (verdict: ReportDrill['verdict']) => drills.filter((d) => d.verdict === verdict).length;
  return {
    format: REPORT_FORMAT,
    generatedAt: now.toISOString(),
    store: input.store,
    names: catalogs.map((c) => c.name),
    since: since.toISOString(),
    targets: { ...targets },
    signatures: input.signaturesChecked ? 'checked' : 'unchecked',
    totals: {
      backups: backups.length,
      drills: drills.length,
      pass: count('pass'),
      fail: count('fail'),
      inconclusive: count('inconclusive'),
      rejected: rejected.length,
      controlsMissed: [...month, ...quarter].filter((l) => !l.met).length,
      overdue: late.length,
    },
    backups,
    drills,
    rejected,
    controls: { references: [...CONTROL_REFERENCES], month, quarter },
    overdue: late,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
