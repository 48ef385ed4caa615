import type { CheckResult } from '../catalog/drill-record.js';
import type { RunContext } from '../context.js';
import type { RestoreOptions } from '../options/restore.js';
import { formatDuration } from '../options/values.js';
import type { OperationOutcome } from '../report/outcome.js';
import { resolveConnection } from '../engines/postgres/connection.js';
import { listTables, readServerInfo } from '../engines/postgres/server-info.js';
import { removePrivateTempDir } from '../process/private-temp.js';
import { privateWorkDir } from '../process/work-dir.js';
import { openStore } from '../storage/open-store.js';
import { resolvePostgresClient } from '../toolchain/resolve.js';
import { RestoreTargetError } from './errors.js';
import { describeAuthenticity, prepareAuthentication } from './authenticate.js';
import { loadKeysIfAny, obtainBackup } from './obtain.js';
import { PhaseRecorder } from './phases.js';
import { restorePayload } from '../engines/postgres/drill/restore-payload.js';
import { selectBackup } from './select.js';
import { rowCountChecks } from '../engines/postgres/drill/table-checks.js';

/**
 * A real recovery: the drill's selection, verification and decryption, then pg_restore into
 * the operator's (empty) database and the same table and row-count checks.
 */
export async function restore(options: RestoreOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const phases = new PhaseRecorder();
  const started = performance.now();
  const target = resolveConnection(options.targetDatabaseUrl, context.env);
  const keys = await loadKeysIfAny(options);
  const authentication = await prepareAuthentication(options, context);
  const store = await openStore(options, context);
  const server = await readServerInfo(target, context.env);
  const existing = await listTables(target, context.env);
  if (existing.length > 0) {
    throw new RestoreTargetError(
      `Database ${target.database} on ${target.host}:${target.port} already holds ${existing.length} tables; restore refuses to mix a backup into existing data.`,
      'Create an empty database (`createdb`) and point `target-database-url` at it.',
    );
  }
  const workDir = await privateWorkDir(context, 'lifeboat-restore-');
  const checks: CheckResult[] = [];
  try {
    const selected = await phases.run('select', () => selectBackup(store, { name: options.name, backupId: options.backupId, before: options.before, now: context.now() }));
    for (const note of selected.future) reporter.warning(note);
    const { manifest } = selected;
    reporter.info(`Restoring ${selected.name}/${manifest.id} (taken ${manifest.startedAt}) into ${target.database} on ${target.host}:${target.port}.`);
    const obtained = await obtainBackup(store, selected, keys, authentication, workDir, phases, context);
    const origin = describeAuthenticity(obtained.authenticity);
    if (obtained.authenticity.verified) reporter.info(origin);
    else reporter.warning(origin);
    const source = manifest.source as Record<string, unknown>;
    if (source.kind !== 'postgres') {
      throw new RestoreTargetError(`Backup ${manifest.id} is a ${String(source.kind)} backup, not a PostgreSQL dump.`, 'Use `lifeboat drill` to verify it, or restore it with the tools of its kind.');
    }
    const client = await resolvePostgresClient({
      purpose: 'restore',
      serverMajor: server.major,
      archiveMajor: typeof source.clientMajor === 'number' ? source.clientMajor : undefined,
      sourceMajor: typeof source.serverMajor === 'number' ? source.serverMajor : undefined,
      override: options.postgresClientVersion,
      context,
    });
    await phases.run('restore', async () => {
      const restored = await restorePayload(obtained.payloadPath, source, target, client, options, context);
      checks.push(restored.check);
      for (const note of restored.notes) reporter.info(note);
    });
    await phases.run('checks', async () => {
      checks.push(...(await rowCountChecks(target, obtained.stats, context.env)));
    });
    const failed = checks.filter((c) => !c.ok);
    const duration = performance.now() - started;
    const lines = [
      `## Lifeboat restore: ${failed.length === 0 ? '✅ restored' : '❌ restored with failed checks'}`,
      '',
      `Backup \`${selected.name}/${manifest.id}\` into \`${target.database}\` on ${target.host}:${target.port} in ${formatDuration(duration)}.`,
      '',
      obtained.authenticity.verified ? `✅ ${origin}` : `> [!WARNING]\n> ⚠️ ${origin}`,
      '',
      `Checks: ${checks.length - failed.length} passed, ${failed.length} failed.`,
      ...failed.map((c) => `- ${c.name}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(c.actual)}`),
    ];
    await reporter.summary(`${lines.join('\n')}\n`);
    return {
      ok: failed.length === 0,
      failure: failed.length === 0 ? undefined : `Restore finished but ${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}`,
      outputs: { 'backup-id': manifest.id, duration: Math.round(duration) / 1000, 'checks-failed': failed.length },
      data: { backupId: manifest.id, phases: phases.phases, checks, authenticity: obtained.authenticity },
    };
  } finally {
    await removePrivateTempDir(workDir);
  }
}
