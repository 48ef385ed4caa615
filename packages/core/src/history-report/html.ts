/**
 * The report as one self-contained HTML page: inline CSS (print styles included), inline SVG
 * charts, no scripts, no external assets, so it opens from an artifact or a mail attachment
 * and prints. Every value from the store is escaped.
 */
import { lineChart, timelineChart } from './charts.js';
import { escapeHtml } from './escape.js';
import type { ReportControlLine, ReportModel } from './model.js';
import { byMonth, totalsLine, noControls, bytes, checkText, duration, overdueSentence, periodLine, reportTitle, signaturesLine, targetOf, targetsLine } from './present.js';
import { seriesOf } from './series.js';

const STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --muted: #57606a; --line: #0969da; --border: #d0d7de; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--border); } h3 { margin-top: 1.4rem; }
.meta { color: var(--muted); margin: .1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid var(--border); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.met, .pass-text { color: var(--pass); font-weight: 600; } .missed, .fail-text { color: var(--fail); font-weight: 600; } .inconclusive-text { color: var(--muted); }
figure { margin: 1rem 0; break-inside: avoid; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; border: 1px solid var(--border); background: #fff; }
svg .axis, svg .tick { stroke: #1f2328; fill: none; } svg .grid { stroke: #eaeef2; fill: none; }
svg .line { stroke: var(--line); stroke-width: 1.5; fill: none; } svg .mark { fill: var(--line); }
svg .target { stroke: var(--fail); stroke-dasharray: 6 4; fill: none; } svg .target-label { fill: var(--fail); font-size: 11px; }
svg text { font-size: 11px; fill: #1f2328; }
svg .pass { fill: var(--pass); } svg .fail { fill: var(--fail); } svg .inconclusive { fill: #8c959f; } svg .rejected { fill: none; stroke: var(--fail); stroke-dasharray: 2 2; }
.chart-empty { color: var(--muted); font-style: italic; }
ul.overdue li { color: var(--fail); }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } table, figure { break-inside: avoid; } tr { break-inside: avoid; }
  details { display: block; } details > summary { display: none; }
  a { color: inherit; text-decoration: none; }
}
`;

/** The report as one HTML document. */
export function renderReportHtml(model: ReportModel): string {
  const now = new Date(model.generatedAt);
  const from = new Date(model.since);
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(reportTitle(model))}</h1>`);
  parts.push(`<p class="meta">Store ${escapeHtml(model.store)} · ${escapeHtml(periodLine(model))}</p>`);
  parts.push(`<p class="meta">Targets: ${own(targetsLine(model.targets))}</p>`);
  parts.push(`<p class="meta">${own(signaturesLine(model))}</p>`);
  parts.push(`<p>${totalsLine(model, (t) => `<span class="pass-text">${t}</span>`, (t) => `<span class="fail-text">${t}</span>`)}</p>`);

  parts.push('<h2 id="overdue">Overdue</h2>');
  parts.push(
    model.overdue.length === 0
      ? '<p>Nothing is overdue.</p>'
      : `<ul class="overdue">${model.overdue.map((o) => `<li>${escapeHtml(overdueSentence(o, now))}</li>`).join('')}</ul>`,
  );

  parts.push('<h2 id="charts">Charts</h2>');
  for (const name of model.names) {
    const drills = model.drills.filter((d) => d.name === name);
    const backups = model.backups.filter((b) => b.name === name);
    if (model.names.length > 1) parts.push(`<h3>${escapeHtml(name)}</h3>`);
    const rto = seriesOf(drills, (d) => d.finishedAt, (d) => d.rtoMs, (d) => d.id);
    const rpo = seriesOf(drills, (d) => d.finishedAt, (d) => d.rpoMs, (d) => d.id);
    const size = seriesOf(backups, (b) => b.startedAt, (b) => b.sizeBytes, (b) => b.id);
    parts.push(
      figure('RTO per drill', lineChart({ id: 'rto', title: 'RTO per drill', points: rto, from, to: now, format: duration, ...(model.targets.maxRtoMs !== undefined && { target: { value: model.targets.maxRtoMs, label: `max-rto ${duration(model.targets.maxRtoMs)}` } }) })),
      figure('Backup size over time', lineChart({ id: 'size', title: 'Backup size over time', points: size, from, to: now, format: bytes })),
      figure('RPO at drill time', lineChart({ id: 'rpo', title: 'RPO at drill time', points: rpo, from, to: now, format: duration, ...(model.targets.maxRpoMs !== undefined && { target: { value: model.targets.maxRpoMs, label: `max-rpo ${duration(model.targets.maxRpoMs)}` } }) })),
      figure(
        'Drill results (outlined: rejected records)',
        timelineChart(
          'timeline',
          'Drill results',
          [
            ...drills.map((d) => ({ at: d.finishedAt, verdict: d.verdict, label: d.id })),
            ...model.rejected.filter((r) => r.name === name && r.at).map((r) => ({ at: r.at!, verdict: 'rejected' as const, label: `${r.key} (left out)` })),
          ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
          from,
          now,
        ),
      ),
    );
  }

  parts.push('<h2 id="controls">Controls</h2>');
  parts.push(
    `<p>Each line checks one declared target in one period (UTC) against the drill records that prove it. The lines support ${model.controls.references.map(escapeHtml).join(', ')}; they are references for an auditor, not a certification.</p>`,
  );
  for (const [kind, lines] of [['quarter', model.controls.quarter], ['month', model.controls.month]] as const) {
    parts.push(`<h3>By ${kind}</h3>`);
    parts.push(lines.length === 0 ? `<p>${noControls(model)}</p>` : controlsTable(kind, lines, model));
  }

  parts.push('<h2 id="drills">Drills</h2>');
  parts.push(
    model.drills.length === 0
      ? '<p>No drills in the period.</p>'
      : table(
          'drills',
          ['Finished', 'Name', 'Drill', 'Backup', 'Verdict', 'RPO', 'RTO', 'Phases', 'Failed checks', 'Signature'],
          model.drills.map((d) => [
            escapeHtml(d.finishedAt),
            escapeHtml(d.name),
            `<span class="hash">${escapeHtml(d.id)}</span>`,
            d.backupId ? `<span class="hash">${escapeHtml(d.backupId)}</span>` : '–',
            `<span class="${d.verdict === 'pass' ? 'pass' : d.verdict === 'fail' ? 'fail' : 'inconclusive'}-text">${d.verdict === 'pass' ? '✓ pass' : d.verdict === 'fail' ? '✗ fail' : '○ inconclusive'}</span>${d.failure ? `<br>${escapeHtml(d.failure)}` : ''}`,
            num(duration(d.rpoMs)),
            num(duration(d.rtoMs)),
            d.phases.map((p) => `${escapeHtml(p.name)} ${escapeHtml(duration(p.durationMs))}${p.ok ? '' : ' ✗'}`).join('<br>') || '–',
            d.failedChecks.map((c) => escapeHtml(checkText(c))).join('<br>') || '–',
            d.signature === 'verified' ? `verified${d.signedBy ? ` <span class="hash">${escapeHtml(d.signedBy)}</span>` : ''}` : 'not checked',
          ]),
        ),
  );

  parts.push('<h2 id="rejected">Rejected drill records</h2>');
  parts.push(
    model.rejected.length === 0
      ? `<p>${model.signatures === 'checked' ? 'None: every drill record is signed by a key in <code>signing-public-key</code>.' : 'None rejected, but none checked either.'}</p>`
      : `<p>These records are left out of every figure and control above.</p>${table(
          'rejected',
          ['Record', 'Status', 'Why'],
          model.rejected.map((r) => [`<span class="hash">${escapeHtml(r.key)}</span>`, r.reason === 'unsigned' ? 'unsigned' : 'not trusted', escapeHtml(r.problem)]),
        )}`,
  );

  parts.push('<h2 id="backups">Backups</h2>');
  const months = byMonth(model.backups, (b) => b.startedAt);
  parts.push(
    months.length === 0
      ? '<p>No complete backups in the period.</p>'
      : table(
          'backup-months',
          ['Month', 'Backups', 'Newest', 'Largest', 'Longest'],
          months.map(([month, list]) => [
            escapeHtml(month),
            num(String(list.length)),
            `<span class="hash">${escapeHtml(list.at(-1)!.id)}</span>`,
            num(bytes(Math.max(...list.map((b) => b.sizeBytes)))),
            num(duration(Math.max(...list.map((b) => b.durationMs)))),
          ]),
        ) +
          `<details><summary>Every backup (${model.backups.length})</summary>${table(
            'backups',
            ['Started', 'Name', 'Backup', 'Size', 'Duration', 'Kind', 'Encryption'],
            model.backups.map((b) => [escapeHtml(b.startedAt), escapeHtml(b.name), `<span class="hash">${escapeHtml(b.id)}</span>`, num(bytes(b.sizeBytes)), num(duration(b.durationMs)), escapeHtml(b.kind), escapeHtml(b.encryption)]),
          )}</details>`,
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(reportTitle(model))}</title>
<style>${STYLE}</style>
</head>
<body>
${parts.join('\n')}
<p class="meta">Written by Lifeboat from the manifests and drill records in the store; report format ${model.format}.</p>
</body>
</html>
`;
}

function controlsTable(kind: string, lines: readonly ReportControlLine[], model: ReportModel): string {
  return table(
    `controls-${kind}`,
    ['Period', ...(model.names.length > 1 ? ['Name'] : []), 'Control', 'Target', 'Result', 'Drill records', 'Manifest SHA-256'],
    lines.map((line) => [
      escapeHtml(line.period),
      ...(model.names.length > 1 ? [escapeHtml(line.name)] : []),
      escapeHtml(line.control),
      escapeHtml(targetOf(line.control, model.targets)),
      line.met ? '<span class="met">✓ met</span>' : `<span class="missed">✗ missed</span><br>${escapeHtml(line.reason ?? '')}`,
      line.drillIds.map((id) => `<span class="hash">${escapeHtml(id)}</span>`).join('<br>') || '–',
      line.manifestSha256s.map((sha) => `<span class="hash">${escapeHtml(sha)}</span>`).join('<br>') || '–',
    ]),
  );
}

/** A table; cells are HTML already escaped by the caller. */
function table(id: string, headings: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const head = `<thead><tr>${headings.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => (typeof cell === 'string' ? `<td>${cell}</td>` : `<td class="num">${cell.num}</td>`)).join('')}</tr>`).join('\n');
  return `<table class="${escapeHtml(id)}" data-table="${escapeHtml(id)}">${head}<tbody>\n${body}\n</tbody></table>`;
}

/** A table cell: HTML, or a right-aligned figure. */
type Cell = string | { readonly num: string };

/** A right-aligned cell of escaped text. */
function num(text: string): Cell {
  return { num: escapeHtml(text) };
}

function figure(caption: string, chart: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${chart}</figure>`;
}

/** The report's own wording: escaped, with `code` spans. Never for values from the store. */
function own(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
