import { hostname } from 'node:os';
import { backupIdTime, newBackupId } from '../catalog/backup-id.js';
import { futureBackupProblem } from '../catalog/clock-skew.js';
import { DRILL_RECORD_FORMAT, type CheckResult, type DrillRecord } from '../catalog/drill-record.js';
import { provenanceFromEnv, type RunContext } from '../context.js';
import type { DrillOptions } from '../options/drill.js';
import { instantAt, outputSeconds } from '../options/values.js';
import { describeError, LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import type { DecryptedBackup } from '../engines/engine.js';
import { engineSection } from '../engines/registry.js';
import type { RestoredTarget } from '../engines/restored-target.js';
import { removePrivateTempDir } from '../process/private-temp.js';
import { privateWorkDir } from '../process/work-dir.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { LIFEBOAT_VERSION } from '../version.js';
import { describeAuthenticity, prepareAuthentication, type Authenticity } from './authenticate.js';
import { keyCoverageWarnings } from './key-coverage.js';
import { loadKeysIfAny, obtainBackup } from './obtain.js';
import { PhaseRecorder } from './phases.js';
import { prepareRecordSigning, publishEvidence, type RecordSigning } from './publish.js';
import { selectBackup, type SelectedBackup } from './select.js';
import { readCheckEntries } from './checks-file.js';
import { drillVerdict, type DrillStop } from './verdict.js';

/** Test seams: code run between phases, as a failure injected into a real drill. */
export interface DrillHooks {
  /** Runs after the restore, before the checks (e.g. to drop a table and watch the checks fail). */
  readonly afterRestore?: (target: RestoredTarget) => Promise<void>;
  /** Replaces the store the options name. */
  readonly store?: Store;
}

/**
 * Proves a backup restores: select → download → verify → decrypt → restore → checks, each
 * timed; then RPO/RTO thresholds and evidence (JSON + Markdown, stored under `drills/`). The
 * evidence is written whatever failed; the outcome fails naming the phase or checks.
 */
export async function drill(options: DrillOptions, context: RunContext, hooks: DrillHooks = {}): Promise<OperationOutcome> {
  const { reporter } = context;
  const started = context.now();
  const clockStart = performance.now();
  const drillId = newBackupId(started);
  const phases = new PhaseRecorder();
  const checks: CheckResult[] = [];
  const versions: Record<string, string> = { lifeboat: LIFEBOAT_VERSION };
  const notes: string[] = [];
  let store: Store | undefined;
  let selected: SelectedBackup | undefined;
  let target: RestoredTarget | undefined;
  let rtoMs: number | undefined;
  let failure: string | undefined;
  let workDir: string | undefined;
  let authenticity: Authenticity | undefined;
  let recordSigning: RecordSigning | undefined;
  let stop: DrillStop | undefined;

  try {
    workDir = await privateWorkDir(context, 'lifeboat-drill-');
    // Everything the operator configured is checked before any download.
    const checkEntries = readCheckEntries(options.checks);
    const keys = await loadKeysIfAny(options);
    const authentication = await prepareAuthentication(options, context);
    recordSigning = await prepareRecordSigning(options, context);
    const from = hooks.store ?? (await openStore(options, context));
    selected = await phases.run('select', async () => {
      // A store that does not exist fails here, and gets no drill record written into it.
      await from.probe({ readOnly: !options.recordDrill });
      store = from;
      return selectBackup(from, { name: options.name, backupId: options.backupId, before: options.before, now: started });
    });
    const { manifest } = selected;
    const found = engineSection(manifest.source, `Manifest of ${selected.name}/${manifest.id}`);
    // The operator's checks are judged in the engine's language before anything is downloaded.
    const engineChecks = found?.engine.drill.checks?.parse(checkEntries.entries, checkEntries.where) ?? [];
    reporter.info(`Drilling ${selected.name}/${manifest.id} (${manifest.source.kind}, taken ${manifest.startedAt}).`);
    if (selected.skipped.length > 0) {
      const note = `Skipped ${selected.skipped.length} newer incomplete backup(s) without a manifest: ${selected.skipped.join(', ')}.`;
      reporter.warning(note);
      notes.push(note);
    }
    for (const note of selected.future) {
      reporter.warning(note);
      notes.push(note);
    }
    // A warning, not a verdict: this backup may still restore, but a later drill of those would not.
    for (const note of keyCoverageWarnings(selected, keys)) {
      reporter.warning(note);
      notes.push(note);
    }
    const obtained = await obtainBackup(from, selected, keys, authentication, workDir, phases, context, (proven) => {
      authenticity = proven;
      const origin = describeAuthenticity(proven);
      notes.push(origin);
      if (!proven.verified) reporter.warning(origin);
    });
    if (obtained.decryptedWith) versions.decryption = obtained.decryptedWith;

    if (found) {
      const { engine } = found;
      const backup: DecryptedBackup<{ readonly kind: string }> = { section: found.section, name: selected.name, payloadPath: obtained.payloadPath, stats: obtained.stats };
      const restore = engine.drill.restore;
      if (restore) {
        const restored: RestoredTarget = await phases.run('restore', () => restore(backup, options, drillId, context));
        target = restored;
        Object.assign(versions, restored.versions);
        notes.push(...restored.notes);
        checks.push(...restored.checks);
        await hooks.afterRestore?.(restored);
      }
      const into = target;
      await phases.run('checks', async () => {
        checks.push(...(await engine.drill.automaticChecks(backup, into, context)));
        if (into && engine.drill.checks) checks.push(...(await engine.drill.checks.run(into, engineChecks, context)));
        else if (checkEntries.entries.length > 0) notes.push(`Operator checks do not apply to ${engine.title} backups; they were not run on this one.`);
      });
    } else {
      notes.push(`Backups of kind ${manifest.source.kind} are verified and decrypted; there is nothing to restore them into.`);
    }
  } catch (error) {
    failure = phases.failed ? `${phases.failed.name} failed: ${phases.failed.error}` : describeError(error);
    stop = { phase: phases.failed?.name, code: error instanceof LifeboatError ? error.code : undefined, message: failure };
  } finally {
    rtoMs = Math.round(performance.now() - clockStart);
    if (target) await target.cleanup(options.keepDatabase);
    if (workDir) await removePrivateTempDir(workDir);
  }

  // A backup dated in the future has no age: it never meets an RPO target.
  const aheadOfClock = selected
    ? futureBackupProblem({ id: selected.manifest.id, time: backupIdTime(selected.manifest.id) ?? new Date(selected.manifest.startedAt), manifest: selected.manifest }, started)
    : undefined;
  if (aheadOfClock) notes.push(`Backup ${selected!.manifest.id} is dated in the future: ${aheadOfClock}; its age (RPO) is unknown.`);
  const rpoMs = selected && !aheadOfClock ? Math.max(0, started.getTime() - new Date(selected.manifest.startedAt).getTime()) : undefined;
  const judged = drillVerdict({
    phases: phases.phases,
    checks,
    stop,
    targets: { maxRpo: options.maxRpo, maxRto: options.maxRto },
    rpoMs,
    rpoUnknown: aheadOfClock && `dated in the future: ${aheadOfClock}`,
    rtoMs,
  });
  checks.push(...judged.targetChecks);
  failure = judged.failure;
  const failedChecks = checks.filter((c) => !c.ok);

  const finished = context.now();
  const record: DrillRecord = {
    format: DRILL_RECORD_FORMAT,
    id: drillId,
    name: selected?.name ?? options.name ?? '',
    backupId: selected?.manifest.id,
    manifestSha256: selected?.manifestSha256,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    verdict: judged.verdict,
    failure,
    rpoMs,
    rtoMs,
    phases: phases.phases,
    checks,
    versions,
    provenance: provenanceFromEnv(context.env, hostname()),
    authenticity: authenticity && { ...authenticity },
    target: target?.description,
    notes,
  };
  const report = options.report ? { since: instantAt(options.reportSince, finished), targets: { maxRpoMs: options.maxRpo, maxRtoMs: options.maxRto, drillEveryMs: options.drillEvery } } : undefined;
  const published = await publishEvidence(record, { store, evidenceDir: options.evidenceDir, recordDrill: options.recordDrill, retentionDays: options.artifactRetentionDays, signing: recordSigning, report }, context);

  return {
    ok: judged.verdict === 'pass',
    failure: failure ? `Drill ${record.verdict}: ${failure}` : undefined,
    outputs: {
      'backup-id': record.backupId,
      'drill-id': drillId,
      verdict: record.verdict,
      'rpo-seconds': rpoMs !== undefined ? outputSeconds(rpoMs) : undefined,
      'rto-seconds': outputSeconds(rtoMs),
      'evidence-path': published.jsonPath,
      'evidence-markdown-path': published.markdownPath,
      'checks-failed': failedChecks.length,
    },
    data: record,
  };
}
