/**
 * The report as GitHub-flavoured Markdown for job summaries: tables with unicode sparklines
 * where the HTML has charts. Every value from the store is escaped (summaries render HTML).
 */
import { escapeMarkdown as md } from './escape.js';
import type { ReportControlLine, ReportModel } from './model.js';
import { byMonth, totalsLine, noControls, bytes, checkText, duration, overdueSentence, periodLine, reportTitle, signaturesLine, targetOf, targetsLine } from './present.js';
import { downsample, seriesOf, sparkline, type Point } from './series.js';

/** Bars in a sparkline at most: a year of daily backups becomes about one bar a week. */
const SPARK_BARS = 52;

const VERDICT = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚪ inconclusive' } as const;

/** The report as Markdown. */
export function renderReportMarkdown(model: ReportModel): string {
  const now = new Date(model.generatedAt);
  const lines: string[] = [
    `## ${md(reportTitle(model))}`,
    '',
    `Store ${md(model.store)} · ${periodLine(model)}`,
    '',
    `Targets: ${targetsLine(model.targets)}. ${signaturesLine(model)}`,
    '',
    totalsLine(model),
    '',
    '### Overdue',
    '',
    ...(model.overdue.length === 0 ? ['Nothing is overdue.'] : model.overdue.map((o) => `- ⚠️ ${md(overdueSentence(o, now))}`)),
    '',
    '### Trends',
    '',
  ];
  for (const name of model.names) {
    const drills = model.drills.filter((d) => d.name === name);
    const backups = model.backups.filter((b) => b.name === name);
    if (model.names.length > 1) lines.push(`#### ${md(name)}`, '');
    lines.push('| Series | Sparkline | Points | Min | Max | Latest | Target |', '| --- | --- | --: | --: | --: | --: | --: |');
    lines.push(
      trend('RTO per drill', seriesOf(drills, (d) => d.finishedAt, (d) => d.rtoMs), duration, model.targets.maxRtoMs),
      trend('RPO at drill time', seriesOf(drills, (d) => d.finishedAt, (d) => d.rpoMs), duration, model.targets.maxRpoMs),
      trend('Backup size', seriesOf(backups, (b) => b.startedAt, (b) => b.sizeBytes), bytes),
      trend('Backup duration', seriesOf(backups, (b) => b.startedAt, (b) => b.durationMs), duration),
    );
    // One mark per drill: drills are far fewer than backups, and each verdict matters.
    const timeline = drills.map((d) => (d.verdict === 'pass' ? '✅' : d.verdict === 'fail' ? '❌' : '⚪')).join('');
    lines.push(`| Drill results | ${timeline || '–'} | ${drills.length} | | | ${drills.length > 0 ? VERDICT[drills.at(-1)!.verdict] : '–'} | |`, '');
  }

  lines.push(
    '### Controls',
    '',
    `Each line checks one declared target in one period (UTC) against the drill records that prove it. They support ${model.controls.references.join(', ')} as references for an auditor, not as a certification.`,
    '',
  );
  for (const [kind, list] of [['quarter', model.controls.quarter], ['month', model.controls.month]] as const) {
    lines.push(`#### By ${kind}`, '');
    if (list.length === 0) lines.push(noControls(model), '');
    else lines.push(...controlsTable(list, model), '');
  }

  lines.push('### Drills', '');
  if (model.drills.length === 0) lines.push('No drills in the period.', '');
  else {
    lines.push('| Finished | Name | Drill | Backup | Verdict | RPO | RTO | Failed checks | Signature |', '| --- | --- | --- | --- | --- | --: | --: | --- | --- |');
    for (const d of model.drills) {
      const failed = d.failedChecks.map((c) => md(checkText(c))).join('; ') || (d.failure ? md(d.failure) : '–');
      lines.push(
        `| ${md(d.finishedAt)} | ${md(d.name)} | ${md(d.id)} | ${d.backupId ? md(d.backupId) : '–'} | ${VERDICT[d.verdict]} | ${duration(d.rpoMs)} | ${duration(d.rtoMs)} | ${failed} | ${d.signature === 'verified' ? 'verified' : 'not checked'} |`,
      );
    }
    lines.push('');
  }

  lines.push('### Rejected drill records', '');
  if (model.rejected.length === 0) lines.push(model.signatures === 'checked' ? 'None: every drill record is signed by a key in `signing-public-key`.' : 'None rejected, but none checked either.', '');
  else {
    lines.push('Left out of every figure and control above:', '');
    for (const r of model.rejected) lines.push(`- ${md(r.problem)}`);
    lines.push('');
  }

  lines.push('### Backups', '');
  const months = byMonth(model.backups, (b) => b.startedAt);
  if (months.length === 0) lines.push('No complete backups in the period.', '');
  else {
    lines.push('| Month | Backups | Size | Newest | Largest |', '| --- | --: | --- | --- | --: |');
    for (const [month, list] of months) {
      lines.push(`| ${md(month)} | ${list.length} | ${sparkline(downsample(list.map((b) => b.sizeBytes), SPARK_BARS))} | ${md(list.at(-1)!.id)} | ${bytes(Math.max(...list.map((b) => b.sizeBytes)))} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function trend(title: string, points: readonly Point[], format: (value: number) => string, target?: number): string {
  if (points.length === 0) return `| ${title} | – | 0 | | | | ${target === undefined ? '' : format(target)} |`;
  const values = points.map((p) => p.value);
  return `| ${title} | ${sparkline(downsample(values, SPARK_BARS))} | ${points.length} | ${format(Math.min(...values))} | ${format(Math.max(...values))} | ${format(values.at(-1)!)} | ${target === undefined ? '' : format(target)} |`;
}

function controlsTable(list: readonly ReportControlLine[], model: ReportModel): string[] {
  const several = model.names.length > 1;
  const rows = [
    `| Period |${several ? ' Name |' : ''} Control | Target | Result | Drill records | Manifest SHA-256 |`,
    `| --- |${several ? ' --- |' : ''} --- | --: | --- | --- | --- |`,
  ];
  for (const line of list) {
    const result = line.met ? '✅ met' : `❌ missed: ${md(line.reason ?? '')}`;
    rows.push(
      `| ${md(line.period)} |${several ? ` ${md(line.name)} |` : ''} ${line.control} | ${targetOf(line.control, model.targets)} | ${result} | ${line.drillIds.map(md).join('<br>') || '–'} | ${line.manifestSha256s.map(md).join('<br>') || '–'} |`,
    );
  }
  return rows;
}
