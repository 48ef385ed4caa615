import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { newBackupId } from '../catalog/backup-id.js';
import { DRILL_RECORD_FORMAT, type CheckResult, type DrillRecord } from '../catalog/drill-record.js';
import { provenanceFromEnv, type RunContext } from '../context.js';
import { describeAuthenticity, prepareAuthentication, type Authenticity } from '../drill/authenticate.js';
import { VerificationError } from '../drill/errors.js';
import { loadKeysIfAny, obtainBackup } from '../drill/obtain.js';
import { PhaseRecorder } from '../drill/phases.js';
import { prepareRecordSigning, publishEvidence, type RecordSigning } from '../drill/publish.js';
import { selectBackup } from '../drill/select.js';
import { drillVerdict, type DrillStop } from '../drill/verdict.js';
import type { DecryptedBackup } from '../engines/engine.js';
import { engineSection, ENGINES } from '../engines/registry.js';
import type { RestoredTarget } from '../engines/restored-target.js';
import { drillOperation, type DrillOptions } from '../options/drill.js';
import { outputSeconds } from '../options/values.js';
import { removePrivateTempDir } from '../process/private-temp.js';
import { privateWorkDir } from '../process/work-dir.js';
import { describeError, LifeboatError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { LIFEBOAT_VERSION } from '../version.js';
import { runCrossChecks, type RestoredMember } from './cross-checks.js';
import { runHttpChecks, startService, type RunningService } from './service.js';
import { memberOptions } from './member-options.js';
import { readStackFile } from './stack-file.js';
import { selectStackRecord, type SelectedStack } from './stack-record.js';
import { checkStackStore } from './stack-store.js';

/** Test seams: code run after a member is restored (before its checks), the store to use. */
export interface StackDrillHooks {
  readonly afterRestore?: (asset: string, target: RestoredTarget) => Promise<void>;
  readonly store?: Store;
}

/** What the evidence says of one member: what was restored, when, and how far its origin was proven. */
export interface MemberEvidence {
  readonly asset: string;
  readonly engine: string;
  readonly name: string;
  readonly backupId: string;
  readonly snapshotAt: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly target?: string;
  readonly authenticity?: Authenticity;
}

/** Phases named `<asset>: <phase>`, each stamped with when it started, so the evidence shows the order. */
class StackPhases extends PhaseRecorder {
  prefix = '';
  constructor(private readonly now: () => Date) {
    super();
  }
  override async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const startedAt = this.now().toISOString();
    const stamp = () => {
      const last = this.phases.at(-1);
      if (last) this.phases[this.phases.length - 1] = { ...last, startedAt };
      if (this.failed && this.failed.name === last?.name) this.failed = this.phases.at(-1);
    };
    try {
      const value = await super.run(`${this.prefix}${name}`, fn);
      stamp();
      return value;
    } catch (error) {
      stamp();
      throw error;
    }
  }
}

/**
 * `lifeboat drill --stack`: the newest stack record (its signature verified), every member
 * restored in the stack's restore order into its engine's throwaway target and checked, then
 * the cross-asset checks on the restored members together, then the after-restore service
 * started against them and asked over HTTP (stopped before the members); one verdict and one evidence
 * record (`<stack>/drills/<id>.json`) with per-member phases, the stack RPO (oldest member's
 * snapshot) and RTO (the whole ordered restore). The first failing member stops the restore.
 */
export async function drillStack(options: DrillOptions, context: RunContext, hooks: StackDrillHooks = {}): Promise<OperationOutcome> {
  const { reporter } = context;
  // A stack's report covers every member's name: that is `lifeboat report --stack`, not one drill's.
  if (options.report) reporter.warning('`report` is not written for stack drills: run `lifeboat report --stack` after the drill.');
  const started = context.now();
  const clockStart = performance.now();
  const drillId = newBackupId(started);
  const phases = new StackPhases(() => context.now());
  const checks: CheckResult[] = [];
  const versions: Record<string, string> = { lifeboat: LIFEBOAT_VERSION };
  const notes: string[] = [];
  const members: MemberEvidence[] = [];
  const restored: RestoredMember[] = [];
  let stackName = '';
  let store: Store | undefined;
  let selected: SelectedStack | undefined;
  let workDir: string | undefined;
  let recordSigning: RecordSigning | undefined;
  let stop: DrillStop | undefined;
  let rtoMs = 0;
  let service: RunningService | undefined;

  try {
    workDir = await privateWorkDir(context, 'lifeboat-drill-');
    // Everything configured is checked before any download: the file, every member's settings, the keys.
    const stack = readStackFile(options.stack!, ENGINES);
    stackName = stack.name;
    checkStackStore(stack, options.store, context.env);
    const memberOpts = new Map(stack.assets.map((asset) => [asset.name, memberOptions(options, drillOperation, stack, asset, context.env, (value) => reporter.secret(value))]));
    const keys = await loadKeysIfAny(options);
    const authentication = await prepareAuthentication(options, context);
    recordSigning = await prepareRecordSigning(options, context);
    const from = hooks.store ?? (await openStore(options, context));
    selected = await phases.run('select stack', async () => {
      await from.probe({ readOnly: !options.recordDrill });
      store = from;
      return selectStackRecord(from, stack.name, { signingPublicKey: authentication.signingPublicKey, allowUnsigned: options.allowUnsigned });
    });
    const { record } = selected;
    notes.push(...selected.skipped);
    notes.push(selected.signedBy ? `Stack record ${record.id} is signed by ${selected.signedBy}.` : `Stack record ${record.id} is NOT verified (unsigned, or no \`signing-public-key\`); \`allow-unsigned\` accepted it.`);
    reporter.info(`Drilling stack ${stack.name}/${record.id} (snapshots ${record.window.first} to ${record.window.last}).`);

    for (const asset of stack.restoreOrder) {
      const spec = stack.assets.find((a) => a.name === asset)!;
      const member = record.members.find((m) => m.asset === asset);
      if (!member) throw new VerificationError(`Stack record ${record.id} has no member \`${asset}\`, which the stack file names.`, 'Back the stack up again with this stack file, or drill with the stack file the record was taken with.');
      phases.prefix = `${asset}: `;
      const startedAt = context.now().toISOString();
      const evidence: { -readonly [K in keyof MemberEvidence]: MemberEvidence[K] } = { asset, engine: member.engine, name: member.name, backupId: member.backupId, snapshotAt: member.snapshotAt, startedAt };
      members.push(evidence);
      const backupSelected = await phases.run('select', async () => {
        const found = await selectBackup(from, { name: member.name, backupId: member.backupId, now: started });
        if (found.manifestSha256 !== member.manifestSha256) {
          throw new VerificationError(`The manifest of ${member.name}/${member.backupId} has changed since stack record ${record.id} was written (SHA-256 ${found.manifestSha256}, recorded ${member.manifestSha256}).`, 'Someone altered the backup: use another stack backup.');
        }
        return found;
      });
      const found = engineSection(backupSelected.manifest.source, `Manifest of ${member.name}/${member.backupId}`);
      if (!found) throw new VerificationError(`${member.name}/${member.backupId} is a ${backupSelected.manifest.source.kind} backup, which this Lifeboat cannot restore.`, 'Drill the stack with the Lifeboat version that backed it up, or newer.');
      const dir = join(workDir, asset);
      await mkdir(dir, { mode: 0o700 });
      const obtained = await obtainBackup(from, backupSelected, keys, authentication, dir, phases, context, (proven) => {
        evidence.authenticity = proven;
        if (!proven.verified) reporter.warning(`${asset}: ${describeAuthenticity(proven)}`);
      });
      const { engine } = found;
      const backup: DecryptedBackup<{ readonly kind: string }> = { section: found.section, name: member.name, payloadPath: obtained.payloadPath, stats: obtained.stats };
      const opts = memberOpts.get(asset)!;
      let target: RestoredTarget | undefined;
      if (engine.drill.restore) {
        const made: RestoredTarget = await phases.run('restore', () => engine.drill.restore!(backup, opts, drillId, context));
        target = made;
        restored.push({ asset, engine, target: made });
        evidence.target = made.description;
        for (const [tool, version] of Object.entries(made.versions)) versions[`${asset} ${tool}`] = version;
        notes.push(...made.notes.map((n) => `${asset}: ${n}`));
        checks.push(...made.checks.map((c) => ({ ...c, name: `${asset}: ${c.name}` })));
        await hooks.afterRestore?.(asset, made);
      }
      await phases.run('checks', async () => {
        const own = [...(await engine.drill.automaticChecks(backup, target, context))];
        if (target && engine.drill.checks && spec.checks.length > 0) own.push(...(await engine.drill.checks.run(target, engine.drill.checks.parse(spec.checks, `checks of asset ${asset}`), context)));
        checks.push(...own.map((c) => ({ ...c, name: `${asset}: ${c.name}` })));
      });
      evidence.finishedAt = context.now().toISOString();
      notes.push(`${asset}: ${member.name}/${member.backupId} restored from ${startedAt} to ${evidence.finishedAt}${target ? ` into ${target.description}` : ''}.`);
    }
    phases.prefix = '';
    if (stack.checks.length > 0) await phases.run('cross-asset checks', async () => checks.push(...(await runCrossChecks(stack.checks, restored, context))));
    const after = stack.afterRestore;
    if (after) {
      // The service gets a folder of its own (working and temp folder), removed with the drill's.
      const dir = join(workDir, 'after-restore');
      await mkdir(dir, { mode: 0o700 });
      service = await phases.run('after-restore', () => startService(after, restored, { dir, stackDir: stack.dir }, context));
      checks.push(service.ready);
      if (after.checks.length > 0) {
        const results = await phases.run('service checks', () => runHttpChecks(after.checks, context));
        checks.push(...results);
        const tail = service.outputTail();
        if (results.some((r) => !r.ok) && tail) notes.push(`after-restore: the service's output ended with: ${tail}`);
      }
    }
  } catch (error) {
    const failure = phases.failed ? `${phases.failed.name} failed: ${phases.failed.error}` : describeError(error);
    stop = { phase: phases.failed?.name, code: error instanceof LifeboatError ? error.code : undefined, message: failure };
  } finally {
    // What a real recovery would take: every member restored in order, and the checks.
    rtoMs = Math.round(performance.now() - clockStart);
    // The service goes first: it holds connections to the members.
    await service?.stop();
    for (const { target } of [...restored].reverse()) await target.cleanup(options.keepDatabase);
    if (workDir) await removePrivateTempDir(workDir);
  }

  const record = selected?.record;
  const oldest = record ? Math.min(...record.members.map((m) => Date.parse(m.snapshotAt))) : undefined;
  const rpoMs = oldest !== undefined ? Math.max(0, started.getTime() - oldest) : undefined;
  const judged = drillVerdict({ phases: phases.phases, checks, stop, targets: { maxRpo: options.maxRpo, maxRto: options.maxRto }, rpoMs, rtoMs });
  checks.push(...judged.targetChecks);
  const failure = judged.failure;
  const authenticities = members.map((m) => m.authenticity).filter((a): a is Authenticity => a !== undefined);
  const evidence: DrillRecord = {
    format: DRILL_RECORD_FORMAT,
    id: drillId,
    name: stackName,
    backupId: record?.id,
    manifestSha256: selected?.sha256,
    startedAt: started.toISOString(),
    finishedAt: context.now().toISOString(),
    verdict: judged.verdict,
    failure,
    rpoMs,
    rtoMs,
    phases: phases.phases,
    checks,
    versions,
    provenance: provenanceFromEnv(context.env, hostname()),
    ...(authenticities.length > 0
      ? {
          authenticity: {
            verified: authenticities.every((a) => a.verified),
            signed: authenticities.every((a) => a.signed),
            allowUnsigned: options.allowUnsigned,
            encrypted: authenticities.every((a) => a.encrypted),
            ...(selected?.signedBy ? { signedBy: selected.signedBy } : {}),
          },
        }
      : {}),
    target: members.length > 0 ? members.map((m) => `${m.asset}: ${m.target ?? 'not restored'}`).join('; ') : undefined,
    notes,
    stack: { recordId: record?.id, window: record?.window, restoreOrder: record?.restoreOrder, members },
  };
  const published = await publishEvidence(evidence, { store, evidenceDir: options.evidenceDir, recordDrill: options.recordDrill, retentionDays: options.artifactRetentionDays, signing: recordSigning }, context);
  return {
    ok: judged.verdict === 'pass',
    failure: failure ? `Stack drill ${judged.verdict}: ${failure}` : undefined,
    outputs: {
      'backup-id': record?.id,
      'drill-id': drillId,
      verdict: judged.verdict,
      'rpo-seconds': rpoMs !== undefined ? outputSeconds(rpoMs) : undefined,
      'rto-seconds': outputSeconds(rtoMs),
      'evidence-path': published.jsonPath,
      'evidence-markdown-path': published.markdownPath,
      'checks-failed': checks.filter((c) => !c.ok).length,
    },
    data: evidence,
  };
}
