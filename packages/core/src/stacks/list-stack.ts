import { readCatalog, type CatalogReadOptions, type DrillVerdictName } from '../catalog/catalog.js';
import type { RunContext } from '../context.js';
import { formatDuration } from '../options/values.js';
import { markdownCell } from '../report/markdown.js';
import type { OperationOutcome } from '../report/outcome.js';
import type { Store } from '../storage/store.js';
import { readStackRecords, stackMemberProblems } from './stack-listing.js';

/** A stack backup as `list --stack --json` shows it. */
export interface StackBackupView {
  readonly id: string;
  readonly time: string;
  /** `complete`: every member backup is there as recorded; `incomplete`: one is gone or changed; `unreadable`: the record itself. */
  readonly state: 'complete' | 'incomplete' | 'unreadable';
  readonly problems: readonly string[];
  readonly skewMs?: number;
  readonly members: readonly { readonly asset?: string; readonly name: string; readonly backupId: string }[];
  readonly lastDrill?: { readonly id: string; readonly verdict: DrillVerdictName; readonly finishedAt: string };
}

/**
 * `lifeboat list --stack`: the stack backups of one stack, newest first, each complete only
 * when every member backup it names is still in the store with the recorded manifest, with
 * its members and its last stack drill.
 */
export async function listStack(store: Store, stack: string, read: CatalogReadOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const [{ records }, catalog] = await Promise.all([readStackRecords(store, stack), readCatalog(store, stack, read)]);
  const views: StackBackupView[] = [];
  for (const listed of records) {
    const drill = catalog.drills.find((d) => d.backupId === listed.id);
    const lastDrill = drill && { id: drill.id, verdict: drill.verdict, finishedAt: drill.finishedAt.toISOString() };
    if (!listed.record) {
      views.push({ id: listed.id, time: listed.time.toISOString(), state: 'unreadable', problems: [`the record cannot be read: ${listed.problem}`], members: listed.members, lastDrill });
      continue;
    }
    const problems = await stackMemberProblems(store, listed.record);
    views.push({
      id: listed.id,
      time: listed.time.toISOString(),
      state: problems.length > 0 ? 'incomplete' : 'complete',
      problems,
      skewMs: listed.record.window.skewMs,
      members: listed.record.members.map((m) => ({ asset: m.asset, name: m.name, backupId: m.backupId })),
      lastDrill,
    });
  }
  for (const view of views) if (view.state !== 'complete') reporter.warning(`Stack backup ${stack}/${view.id} is ${view.state}: ${view.problems.join('; ')}.`);
  for (const r of catalog.rejectedDrills) reporter.warning(r.problem);
  await reporter.summary(stackListSummary(stack, views, store.location, context.now()));
  const count = (state: StackBackupView['state']) => views.filter((v) => v.state === state).length;
  return {
    ok: true,
    outputs: {
      names: stack,
      complete: count('complete'),
      incomplete: count('incomplete'),
      unreadable: count('unreadable'),
      'newest-backup-id': views.find((v) => v.state === 'complete')?.id,
    },
    data: { store: store.location, stack, backups: views },
  };
}

/** The stack backups as Markdown. Pure. */
export function stackListSummary(stack: string, views: readonly StackBackupView[], store: string, now: Date): string {
  const lines = [`### Stack backups: \`${stack}\``, '', `Store: ${store}`, ''];
  if (views.length === 0) return `${[...lines, 'No stack backups.'].join('\n')}\n`;
  lines.push('| stack backup | age | skew | state | members | last drill |', '| --- | --- | --- | --- | --- | --- |');
  for (const v of views) {
    const age = formatDuration(Math.max(0, now.getTime() - Date.parse(v.time)));
    const members = v.members.map((m) => `${m.asset ?? m.name}: \`${m.name}/${m.backupId}\``).join('<br>');
    const state = v.state === 'complete' ? 'complete' : `${v.state}: ${markdownCell(v.problems.join('; '))}`;
    const drill = v.lastDrill ? `${v.lastDrill.verdict} (${formatDuration(Math.max(0, now.getTime() - Date.parse(v.lastDrill.finishedAt)))} ago)` : '—';
    lines.push(`| \`${v.id}\` | ${age} | ${v.skewMs !== undefined ? formatDuration(v.skewMs) : '—'} | ${state} | ${members} | ${drill} |`);
  }
  return `${lines.join('\n')}\n`;
}
