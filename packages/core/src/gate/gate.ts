import { outputSeconds } from '../options/values.js';
import { readCatalog, resolveBackupName, type CatalogBackup, type CatalogReadOptions, type DrillSummary } from '../catalog/catalog.js';
import { backupIdTime } from '../catalog/backup-id.js';
import { futureBackupProblem, futureDrillProblem } from '../catalog/clock-skew.js';
import { newestComplete } from '../catalog/decisions.js';
import type { RunContext } from '../context.js';
import { readPublicKeys } from '../crypto/keys.js';
import type { GateOptions } from '../options/gate.js';
import { UnsupportedError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { gateSummary } from './summary.js';
import { readStackGateFacts } from './stack-facts.js';
import { ENGINES } from '../engines/registry.js';
import { readStackFile } from '../stacks/stack-file.js';
import { checkStackStore } from '../stacks/stack-store.js';
import { gateVerdict, type GateFacts, type GateVerdict } from './verdict.js';

/** What the adapter may inject into the gate. */
export interface GateHooks {
  /**
   * Takes a fresh backup with the backup inputs, for `backup-if-stale`. The adapter wires it
   * to the backup operation; the gate only calls it and gates on what it wrote. `name` is the
   * name the gate looked at (the only one in the store when none was given), so the backup
   * lands where the gate reads; undefined when the store holds no backups yet.
   */
  readonly runBackup?: (name: string | undefined) => Promise<OperationOutcome>;
}

/** Decides whether a deploy may proceed: fresh backup, recent passing drill. Reads only manifests and drill records. */
export async function gate(options: GateOptions, context: RunContext, hooks: GateHooks = {}): Promise<OperationOutcome> {
  const store = await openStore(options, context);
  // A mistyped folder or bucket is an error naming it, not "no backup".
  await store.probe({ readOnly: true });
  return gateStore(store, options, context, hooks);
}

/** The gate against an open store (tests and library callers that hold a Store). */
export async function gateStore(
  store: Store,
  options: Pick<GateOptions, 'name' | 'maxBackupAge' | 'maxDrillAge' | 'backupIfStale'> & Partial<Pick<GateOptions, 'signingPublicKey' | 'stack' | 'store'>>,
  context: RunContext,
  hooks: GateHooks = {},
): Promise<OperationOutcome> {
  const { reporter } = context;
  const limits = { maxBackupAge: options.maxBackupAge, maxDrillAge: options.maxDrillAge };
  if (options.backupIfStale && !hooks.runBackup) {
    throw new UnsupportedError(
      'backup-if-stale is set, but this gate was started without the means to take a backup.',
      'Give the gate the backup inputs through an adapter that supports it, or unset backup-if-stale.',
    );
  }

  const read = { signingPublicKey: options.signingPublicKey };
  // Unreadable or private keys are refused before anything is read, naming the option.
  if (options.signingPublicKey?.trim()) await readPublicKeys(options.signingPublicKey, { option: 'signing-public-key' });
  else {
    reporter.warning(
      'No `signing-public-key` is set, so drill records are taken as they are: anyone who can write to the store can write a passing one. Sign drill records with the drill\'s `signing-key` and set its public key here.',
    );
  }
  // A stack is gated on its newest complete stack backup and its stack drills, under its name.
  const stack = options.stack ? readStackFile(options.stack, ENGINES) : undefined;
  if (stack && options.store !== undefined) checkStackStore(stack, options.store, context.env);
  const readFacts = (name: string | undefined) => (stack ? readStackGateFacts(store, stack.name, context.now(), read) : readGateFacts(store, name, context.now(), read));
  let facts = await readFacts(options.name);
  let verdict = gateVerdict(facts, limits, context.now());
  const extra: string[] = [];
  let backupTaken: string | undefined;

  if (!verdict.backupOk && options.backupIfStale && hooks.runBackup) {
    reporter.info(`${verdict.problems[0]} Taking a fresh backup first (backup-if-stale).`);
    const runBackup = hooks.runBackup;
    const outcome = await reporter.group('Fresh backup (backup-if-stale)', () => runBackup(facts.name));
    if (outcome.ok) {
      const id = outcome.outputs['backup-id'];
      backupTaken = typeof id === 'string' ? id : undefined;
      facts = await readFacts(facts.name ?? options.name);
      verdict = gateVerdict(facts, limits, context.now());
    } else {
      extra.push(`The fresh backup (backup-if-stale) failed: ${outcome.failure ?? 'no reason given'}.`);
    }
  }

  const problems = [...verdict.problems, ...extra];
  const pass = verdict.pass && extra.length === 0;
  for (const note of facts.ignored ?? []) reporter.warning(note);
  for (const note of verdict.notes) reporter.info(note);
  if (facts.chain) reporter[facts.chain.ok ? 'info' : 'warning'](facts.chain.text);
  // Problems are printed once: in the summary and in the failure the adapter reports.
  if (pass) reporter.info(`Gate passed for ${stack ? 'stack ' : ''}\`${facts.name}\`: ${stack ? 'stack backup' : 'backup'} ${facts.backup!.id} and drill ${facts.drill!.id} are recent.`);
  await reporter.summary(gateSummary({ facts, verdict, limits, problems, pass, backupTaken, store: store.location }));

  return {
    ok: pass,
    failure: pass ? undefined : `Gate failed${facts.name ? ` for ${facts.name}` : ''}: ${problems.join(' ')}`,
    outputs: {
      verdict: pass ? 'pass' : 'fail',
      'backup-id': facts.backup?.id,
      'backup-age-seconds': seconds(verdict.backupAgeMs),
      'drill-id': facts.drill?.id,
      'drill-age-seconds': seconds(verdict.drillAgeMs),
      'backup-taken': backupTaken,
    },
    data: gateData(facts, verdict, problems, pass, backupTaken, store.location),
  };
}

/**
 * Reads what the gate needs from one listing of the name: the newest complete backup, the
 * newest conclusive drill, newer inconclusive ones, and any unreadable drill record that may
 * be newer than it. Backups and drill records dated in the future (beyond the clock skew
 * allowed) are left out and named in `ignored`: a time that cannot be true yet never makes the
 * gate pass. With `signingPublicKey`, unsigned records are left out too, and records whose
 * signature does not verify count as unreadable.
 */
export async function readGateFacts(store: Store, name: string | undefined, now: Date = new Date(), options: CatalogReadOptions = {}): Promise<GateFacts> {
  const resolved = await resolveBackupName(store, name);
  if (!resolved) return { name };
  const catalog = await readCatalog(store, resolved, options);
  const ignored: string[] = catalog.rejectedDrills.map((r) => r.problem);
  const backups = catalog.backups.filter((b) => {
    const problem = b.state === 'complete' ? futureBackupProblem(b, now) : undefined;
    if (problem) ignored.push(`Backup ${b.id} is ignored: ${problem}.`);
    return !problem;
  });
  const backup = newestComplete(backups);
  // The catalog lists drills newest first (by finish time).
  const drills = catalog.drills.filter((d) => {
    const problem = futureDrillProblem({ id: d.id, idTime: backupIdTime(d.id), startedAt: d.startedAt, finishedAt: d.finishedAt }, now);
    if (problem) ignored.push(`Drill record ${d.key} is ignored: ${problem}.`);
    return !problem;
  });
  const newestConclusive = drills.findIndex((d) => d.verdict !== 'inconclusive');
  const drill = newestConclusive >= 0 ? (drills[newestConclusive] as DrillSummary & { verdict: 'pass' | 'fail' }) : undefined;
  const inconclusive = drills.slice(0, newestConclusive >= 0 ? newestConclusive : drills.length).map((d) => ({ id: d.id, failure: d.failure }));
  // A record named by a drill id carries its start time to the second; one that may have started after the newest readable drill
  // (the same second included) or has no time may hold the real verdict.
  const unreadable = catalog.unreadableDrills.find((u) => !u.time || !drill || u.time.getTime() + 1000 > drill.startedAt.getTime());
  return {
    name: resolved,
    backup: backup && { id: backup.id, time: backup.time },
    drill: drill && { id: drill.id, verdict: drill.verdict, finishedAt: drill.finishedAt, backupId: drill.backupId, manifestSha256: drill.manifestSha256, failure: drill.failure },
    unreadableDrill: unreadable && { key: unreadable.key, problem: unreadable.problem },
    ...(inconclusive.length > 0 && { inconclusive }),
    ...(ignored.length > 0 && { ignored }),
    chain: drill && chainOf(drill, catalog.backups),
  };
}

/** backup → drill → gate: does the drilled backup's manifest still hash to what the record names? */
function chainOf(drill: DrillSummary, backups: readonly CatalogBackup[]): GateFacts['chain'] {
  if (!drill.backupId || !drill.manifestSha256) return undefined;
  const signed = drill.signature === 'verified' ? `signed drill record ${drill.id} (by ${drill.signedBy})` : `drill record ${drill.id}`;
  const backup = backups.find((b) => b.id === drill.backupId);
  if (!backup?.manifestSha256) return { ok: true, text: `The ${signed} names backup ${drill.backupId} by manifest SHA-256 ${drill.manifestSha256}; that backup's manifest is no longer in the store.` };
  if (backup.manifestSha256 !== drill.manifestSha256) {
    return {
      ok: false,
      text: `The ${signed} restored backup ${drill.backupId} with manifest SHA-256 ${drill.manifestSha256}, but the manifest stored there now has SHA-256 ${backup.manifestSha256}: it was replaced after the drill.`,
    };
  }
  return { ok: true, text: `Chain: backup ${drill.backupId} (manifest SHA-256 ${drill.manifestSha256}) → ${signed}.` };
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : outputSeconds(ms);
}

function gateData(facts: GateFacts, verdict: GateVerdict, problems: string[], pass: boolean, backupTaken: string | undefined, store: string) {
  return {
    store,
    name: facts.name,
    verdict: pass ? 'pass' : 'fail',
    problems,
    backup: facts.backup && { id: facts.backup.id, time: facts.backup.time.toISOString(), ageSeconds: seconds(verdict.backupAgeMs) },
    drill: facts.drill && {
      id: facts.drill.id,
      verdict: facts.drill.verdict,
      backupId: facts.drill.backupId,
      finishedAt: facts.drill.finishedAt.toISOString(),
      ageSeconds: seconds(verdict.drillAgeMs),
      failure: facts.drill.failure,
    },
    inconclusive: facts.inconclusive ?? [],
    backupTaken,
    ignored: facts.ignored ?? [],
  };
}
