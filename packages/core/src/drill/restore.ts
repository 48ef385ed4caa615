import type { CheckResult } from '../catalog/drill-record.js';
import type { RunContext } from '../context.js';
import type { RestoreOptions } from '../options/restore.js';
import { formatDuration, outputSeconds } from '../options/values.js';
import type { OperationOutcome } from '../report/outcome.js';
import type { DecryptedBackup } from '../engines/engine.js';
import { engineSection, restoreEngine, restoreOptionFor } from '../engines/registry.js';
import { removePrivateTempDir } from '../process/private-temp.js';
import { privateWorkDir } from '../process/work-dir.js';
import { openStore } from '../storage/open-store.js';
import { RestoreTargetError } from './errors.js';
import { describeAuthenticity, prepareAuthentication } from './authenticate.js';
import { loadKeysIfAny, obtainBackup } from './obtain.js';
import { PhaseRecorder } from './phases.js';
import { selectBackup } from './select.js';

/**
 * A real recovery: the drill's selection, verification and decryption, then the restore into
 * the operator's (empty) database or server by the engine whose target option is set, and
 * the same checks of what the backup recorded as a drill runs.
 */
export async function restore(options: RestoreOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const phases = new PhaseRecorder();
  const started = performance.now();
  const engine = restoreEngine(options);
  const keys = await loadKeysIfAny(options);
  const authentication = await prepareAuthentication(options, context);
  const store = await openStore(options, context);
  await store.probe({ readOnly: true });
  // The target is checked (reachable, empty) before anything is downloaded.
  const target = await engine.restore!.prepare(options, context);
  const workDir = await privateWorkDir(context, 'lifeboat-restore-');
  const checks: CheckResult[] = [];
  try {
    const selected = await phases.run('select', () => selectBackup(store, { name: options.name, backupId: options.backupId, before: options.before, now: context.now() }));
    for (const note of selected.future) reporter.warning(note);
    const { manifest } = selected;
    if (!engine.kinds.includes(manifest.source.kind)) {
      const option = restoreOptionFor(manifest.source.kind);
      throw new RestoreTargetError(
        `Backup ${manifest.id} is a ${manifest.source.kind} backup; \`${engine.restore!.option}\` takes ${engine.title} backups.`,
        option ? `Set \`${option}\` instead to restore it.` : 'Use `lifeboat drill` to verify it, or restore it with the tools of its kind.',
      );
    }
    const found = engineSection(manifest.source, `Manifest of ${selected.name}/${manifest.id}`)!;
    reporter.info(`Restoring ${selected.name}/${manifest.id} (taken ${manifest.startedAt}) into ${target.description}.`);
    const obtained = await obtainBackup(store, selected, keys, authentication, workDir, phases, context);
    const origin = describeAuthenticity(obtained.authenticity);
    if (obtained.authenticity.verified) reporter.info(origin);
    else reporter.warning(origin);
    const backup: DecryptedBackup<{ readonly kind: string }> = { section: found.section, name: selected.name, payloadPath: obtained.payloadPath, stats: obtained.stats };
    await phases.run('restore', async () => {
      const restored = await target.restore(backup);
      checks.push(...restored.checks);
      for (const note of restored.notes) reporter.info(note);
    });
    await phases.run('checks', async () => {
      checks.push(...(await target.checks(backup)));
    });
    const failed = checks.filter((c) => !c.ok);
    const duration = performance.now() - started;
    const lines = [
      `## Lifeboat restore: ${failed.length === 0 ? '✅ restored' : '❌ restored with failed checks'}`,
      '',
      `Backup \`${selected.name}/${manifest.id}\` into ${target.description} in ${formatDuration(duration)}.`,
      '',
      obtained.authenticity.verified ? `✅ ${origin}` : `> [!WARNING]\n> ⚠️ ${origin}`,
      '',
      `Checks: ${checks.length - failed.length} passed, ${failed.length} failed.`,
      ...failed.map((c) => `- ${c.name}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(c.actual)}${c.message && c.kind !== 'restore-errors' ? ` (${c.message})` : ''}`),
      ...restoreErrorLines(checks.find((c) => c.kind === 'restore-errors')),
    ];
    await reporter.summary(`${lines.join('\n')}\n`);
    return {
      ok: failed.length === 0,
      failure: failed.length === 0 ? undefined : `Restore finished but ${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}`,
      outputs: { 'backup-id': manifest.id, duration: outputSeconds(duration), 'checks-failed': failed.length },
      data: { backupId: manifest.id, phases: phases.phases, checks, authenticity: obtained.authenticity },
    };
  } finally {
    await removePrivateTempDir(workDir);
  }
}

/** The restore's own error lines (pg_restore's, psql's) for the summary, in a code block. */
function restoreErrorLines(check: CheckResult | undefined): string[] {
  if (!check?.message) return [];
  const lines = check.message.split(' / ').map((line) => line.replace(/```/g, "'''"));
  const count = typeof check.actual === 'number' ? check.actual : lines.length;
  return ['', `Errors the restore reported (${count}${count > lines.length ? `, first ${lines.length}` : ''}):`, '', '```', ...lines, '```'];
}
