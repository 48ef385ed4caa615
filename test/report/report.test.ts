/**
 * `lifeboat report` over a year of real history in a real folder store: the JSON model exactly,
 * drill records judged as the gate judges them (a record flipped after signing and an unsigned
 * one are rejected and listed), untrusted values escaped in HTML and Markdown, and the HTML
 * opened in headless Chromium: no console errors, no requests, drawn charts, the expected rows.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../../packages/core/src/gate/gate.js';
import { type ReportDrill, type ReportModel } from '../../packages/core/src/history-report/model.js';
import { renderReportHtml } from '../../packages/core/src/history-report/html.js';
import { renderReportMarkdown } from '../../packages/core/src/history-report/markdown.js';
import { report } from '../../packages/core/src/history-report/report.js';
import { gateOperation } from '../../packages/core/src/options/gate.js';
import { reportOperation } from '../../packages/core/src/options/report.js';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { openStore } from '../../packages/core/src/storage/open-store.js';
import { idAt, writeBackup, writeDrill } from '../catalog/fixtures.js';
import { tempFolder } from '../support/temp-folders.js';
import { chromium, openInChromium } from './chromium.js';
import { contextAt, FAILED, HOSTILE, HOUR, NAME, NOW, rtoOf, SINCE, SLOW, writeYear, type Year } from './year.js';

const MIN = 60_000;
const DAY = 24 * HOUR;
const TARGETS = { 'max-rpo': '26h', 'max-rto': '2m', 'drill-every': '35d' };
let year: Year;
let model: ReportModel;

const reportOptions = (extra: Record<string, string | undefined> = {}) =>
  resolveOptions(reportOperation, objectSource({ store: year.folder, since: '2025-01-01', format: 'json', ...TARGETS, 'signing-public-key': year.signer.publicKey, ...extra }));

beforeAll(async () => {
  year = await writeYear();
  const outcome = await report(reportOptions(), contextAt());
  expect(outcome.ok).toBe(true);
  model = outcome.data as ReportModel;
}, 180_000);

/** Bytes the store holds in a backup's folder, measured on disk. */
function folderBytes(id: string): number {
  const dir = join(year.folder, NAME, id);
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

describe('the report model', () => {
  it('lists every backup of the year with its time, size and duration', () => {
    expect(model.backups).toHaveLength(365);
    expect(model.backups).toEqual(
      year.backups.map((b) => ({ name: NAME, id: b.id, startedAt: b.startedAt, finishedAt: b.finishedAt, durationMs: 42_000, sizeBytes: folderBytes(b.id), kind: 'postgres', encryption: 'openpgp' })),
    );
  });

  it('lists the trusted drills with verdict, RPO, RTO, phases and failed checks, and leaves the flipped and the unsigned record out', () => {
    const expected: ReportDrill[] = year.drills.map(({ record, month }) => ({
      name: NAME,
      id: record.id,
      backupId: record.backupId!,
      manifestSha256: record.manifestSha256!,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      verdict: month === FAILED ? 'fail' : 'pass',
      ...(month === FAILED && { failure: 'check orders-not-empty: expected >= 1, got 0' }),
      rpoMs: 8 * HOUR,
      rtoMs: rtoOf(month),
      phases: [
        { name: 'select', durationMs: 20, ok: true },
        { name: 'download', durationMs: 4000, ok: true },
        { name: 'verify', durationMs: 980, ok: true },
        { name: 'decrypt', durationMs: 5000, ok: true },
        { name: 'restore', durationMs: rtoOf(month) - 10_500, ok: true },
        { name: 'checks', durationMs: 500, ok: month !== FAILED },
      ],
      failedChecks: month === FAILED ? [{ name: 'orders-not-empty', kind: 'sql', expected: '>= 1', actual: 0, message: HOSTILE }] : [],
      signature: 'verified',
      signedBy: year.signer.fingerprint,
    }));
    expect(model.drills).toEqual(expected);
    expect(model.drills.map((d) => d.finishedAt.slice(0, 7))).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12']);
  });

  it('lists the flipped record as not trusted and the unsigned one as unsigned, with the gate\'s reasons', () => {
    expect(model.rejected.map(({ key, reason, at }) => ({ key, reason, at }))).toEqual([
      { key: `${NAME}/drills/${year.flippedId}.json`, reason: 'untrusted', at: '2025-06-05T10:00:00.000Z' },
      { key: `${NAME}/drills/${year.unsignedId}.json`, reason: 'unsigned', at: '2025-11-20T10:00:00.000Z' },
    ]);
    expect(model.rejected[0]!.problem).toContain('its signature does not verify');
    expect(model.rejected[1]!.problem).toBe(`Drill record ${NAME}/drills/${year.unsignedId}.json is ignored: it has no signature (${year.unsignedId}.json.sig), and \`signing-public-key\` is set.`);
  });

  it('has the header, targets and totals', () => {
    expect({ ...model, backups: undefined, drills: undefined, rejected: undefined, controls: undefined }).toEqual({
      format: 1,
      generatedAt: NOW.toISOString(),
      store: year.folder,
      names: [NAME],
      since: SINCE.toISOString(),
      targets: { maxRpoMs: 26 * HOUR, maxRtoMs: 2 * MIN, drillEveryMs: 35 * DAY },
      signatures: 'checked',
      totals: { backups: 365, drills: 11, pass: 10, fail: 1, inconclusive: 0, rejected: 2, controlsMissed: 15, overdue: 0 },
      overdue: [],
    });
  });

  it('checks each target per month: a failed drill, a month without a trusted drill, a slow drill and the cadence gaps they make', () => {
    const months = model.controls.month;
    expect(months).toHaveLength(36);
    expect(months.filter((l) => !l.met).map((l) => [l.period, l.control, l.reason])).toEqual([
      ['2025-03', 'max-rpo', `drill ${drillOf(FAILED)} failed`],
      ['2025-03', 'max-rto', `drill ${drillOf(FAILED)} failed`],
      ['2025-03', 'drill-cadence', 'no passing drill for more than 35 days before 2025-04-01'],
      ['2025-04', 'drill-cadence', 'no passing drill for more than 35 days before 2025-04-05'],
      ['2025-06', 'max-rpo', 'no drill in the period'],
      ['2025-06', 'max-rto', 'no drill in the period'],
      ['2025-06', 'drill-cadence', 'no passing drill for more than 35 days before 2025-07-01'],
      ['2025-07', 'drill-cadence', 'no passing drill for more than 35 days before 2025-07-05'],
      ['2025-08', 'max-rto', `drill ${drillOf(SLOW)}: 150000 ms over 120000 ms`],
    ]);
    // Each line points at the records and manifests that prove it.
    const january = months.find((l) => l.period === '2025-01' && l.control === 'max-rpo')!;
    const first = year.drills[0]!.record;
    expect(january).toEqual({ name: NAME, period: '2025-01', control: 'max-rpo', met: true, drillIds: [first.id], manifestSha256s: [first.manifestSha256] });
  });

  it('checks each target per quarter', () => {
    expect(model.controls.quarter.map((l) => `${l.period} ${l.control} ${l.met ? 'met' : 'missed'} ${l.drillIds.length}`)).toEqual([
      '2025-Q1 max-rpo missed 3',
      '2025-Q1 max-rto missed 3',
      '2025-Q1 drill-cadence missed 2',
      '2025-Q2 max-rpo met 2',
      '2025-Q2 max-rto met 2',
      '2025-Q2 drill-cadence missed 2',
      '2025-Q3 max-rpo met 3',
      '2025-Q3 max-rto missed 3',
      '2025-Q3 drill-cadence missed 3',
      '2025-Q4 max-rpo met 3',
      '2025-Q4 max-rto met 3',
      '2025-Q4 drill-cadence met 3',
    ]);
    expect(model.controls.references).toEqual(['ISO/IEC 27001:2022 A.8.13', 'SOC 2 A1.2', 'SOC 2 A1.3']);
  });

  it('names what is overdue later: the cadence and the newest backup', async () => {
    const outcome = await report(reportOptions(), contextAt(new Date('2026-02-20T00:00:00Z')));
    expect((outcome.data as ReportModel).overdue).toEqual([
      { name: NAME, what: 'drill', last: year.drills.at(-1)!.record.finishedAt, limitMs: 35 * DAY },
      { name: NAME, what: 'backup', last: year.backups.at(-1)!.time.toISOString(), limitMs: 26 * HOUR },
    ]);
    expect(outcome.outputs.overdue).toBe(2);
  });

  it('with a later since, lists only that part of the year, yet judges its first month\'s cadence from the drill before it', async () => {
    const half = (await report(reportOptions({ since: '2025-07-01' }), contextAt())).data as ReportModel;
    expect(half.backups).toHaveLength(184);
    expect(half.backups[0]!.startedAt).toBe('2025-07-01T02:00:00.000Z');
    expect(half.drills.map((d) => d.finishedAt.slice(0, 7))).toEqual(['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12']);
    expect(half.controls.month).toHaveLength(18);
    expect(half.controls.month.filter((l) => !l.met).map((l) => `${l.period} ${l.control}`)).toEqual(['2025-07 drill-cadence', '2025-08 max-rto']);
    expect(half.controls.quarter.map((l) => l.period)).toEqual(['2025-Q3', '2025-Q3', '2025-Q3', '2025-Q4', '2025-Q4', '2025-Q4']);
  });

  it('takes every record as it is without signing-public-key, and says so', async () => {
    const ctx = contextAt();
    const outcome = await report(reportOptions({ 'signing-public-key': undefined }), ctx);
    const unchecked = outcome.data as ReportModel;
    expect(unchecked.signatures).toBe('unchecked');
    expect(unchecked.rejected).toEqual([]);
    // The flipped June record and the forged one count then: exactly what the key is for.
    expect(unchecked.totals.drills).toBe(13);
    expect(ctx.reporter.lines.some((l) => l.level === 'warning' && l.message.includes('No `signing-public-key` is set'))).toBe(true);
  });

  it('agrees with the gate: the flipped record is rejected there too', async () => {
    const ctx = contextAt(new Date('2025-06-05T12:00:00Z'));
    const outcome = await gate(resolveOptions(gateOperation, objectSource({ store: year.folder, name: NAME, 'max-backup-age': '26h', 'max-drill-age': '90d', 'signing-public-key': year.signer.publicKey })), ctx);
    expect(outcome.failure).toContain(`${year.flippedId}.json is not trusted: its signature does not verify`);
    expect(outcome.ok).toBe(false);
  });
});

function drillOf(month: number): string {
  return year.drills.find((d) => d.month === month)!.record.id;
}

describe('rendering', () => {
  it('Markdown: tables, sparklines, controls and rejected records, with every store value escaped', () => {
    const markdown = renderReportMarkdown(model);
    expect(markdown).toContain('## Lifeboat report: app');
    expect(markdown).toMatch(/\| RTO per drill \| [▁▂▃▄▅▆▇█]{11} \| 11 \| 1m \| 2m 30s \| 1m 55s \| 2m \|/);
    expect(markdown).toMatch(/\| Backup size \| ▁[▁▂▃▄▅▆▇█]{50}█ \| 365 \| 4\.88 KiB \| 19\.1 KiB \| 19\.1 KiB \|  \|/);
    expect(markdown).toContain('| Drill results | ✅✅❌✅✅✅✅✅✅✅✅ | 11 |');
    expect(markdown).toContain(`| 2025-Q1 | max-rpo | 1d 2h | ❌ missed: drill ${drillOf(FAILED)} failed |`);
    expect(markdown).toContain(`- ${NAME}/drills/${year.flippedId}.json is not trusted: its signature does not verify`);
    expect(markdown).toContain(`- Drill record ${NAME}/drills/${year.unsignedId}.json is ignored`);
    // The check's message is data: it neither ends its cell nor renders as an image.
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; \\| forged ✅ pass \\|');
    const controlRows = markdown.split('\n').filter((line) => /^\| 2025-(\d\d|Q\d) \| (max-rpo|max-rto|drill-cadence) \|/.test(line));
    expect(controlRows).toHaveLength(48);
  });

  it('HTML: one file with no scripts or external references, every store value escaped', () => {
    const html = renderReportHtml(model);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|href=|@import|url\(/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; | forged ✅ pass |');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(4);
  });
});

describe.skipIf(!chromium)('the HTML report in headless Chromium', () => {
  it('loads without console errors or requests, draws the four charts and the controls table, and prints', async () => {
    const dir = tempFolder('lifeboat-report-html-');
    const ctx = contextAt();
    const out = join(dir, 'report.html');
    const written = await report(reportOptions({ format: 'html', out }), ctx);
    expect(written.outputs.path).toBe(out);
    expect(readdirSync(dir)).toEqual(['report.html']);

    const page = await openInChromium(out, MEASURE);
    expect(page.problems).toEqual([]);
    const screen = page.screen as Measured;
    expect(screen.resources).toBe(0);
    expect(screen.scripts).toBe(0);
    expect(screen.images).toBe(0);
    expect(screen.title).toBe('Lifeboat report: app');
    expect(screen.charts.map((c) => c.id)).toEqual(['rto', 'size', 'rpo', 'timeline']);
    for (const chart of screen.charts) {
      expect(chart.width, chart.id).toBeGreaterThan(500);
      expect(chart.drawn.length, chart.id).toBeGreaterThan(0);
      for (const path of chart.drawn) {
        expect(path.d.length, `${chart.id} ${path.cls}`).toBeGreaterThan(10);
        expect(path.length, `${chart.id} ${path.cls}`).toBeGreaterThan(0);
      }
    }
    const byId = Object.fromEntries(screen.charts.map((c) => [c.id, c]));
    expect(byId.rto!.drawn.map((p) => p.cls)).toEqual(['target', 'line']);
    expect(byId.rto!.marks).toBe(11);
    expect(byId.size!.marks).toBe(365);
    expect(byId.timeline!.drawn.map((p) => p.cls)).toEqual(['pass', 'pass', 'fail', 'pass', 'pass', 'rejected', 'pass', 'pass', 'pass', 'pass', 'pass', 'rejected', 'pass']);
    expect(screen.rows).toEqual({ 'controls-month': 36, 'controls-quarter': 12, drills: 11, rejected: 2, 'backup-months': 12, backups: 365 });
    expect(page.screenshot.subarray(1, 4).toString()).toBe('PNG');
    expect(page.screenshot.length).toBeGreaterThan(20_000);

    // Printed: the charts keep their size and every backup row is on paper (details open).
    const printed = page.print as Measured;
    expect(printed.charts.map((c) => c.width > 400)).toEqual([true, true, true, true]);
    expect(printed.backupsVisible).toBe(true);
    expect(page.pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

interface Measured {
  title: string;
  resources: number;
  scripts: number;
  images: number;
  backupsVisible: boolean;
  charts: { id: string; width: number; marks: number; drawn: { cls: string; d: string; length: number }[] }[];
  rows: Record<string, number>;
}

/** Runs in the page: what was laid out and drawn. */
const MEASURE = `(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    id: svg.dataset.chart,
    width: svg.getBoundingClientRect().width,
    marks: svg.querySelectorAll('circle.mark').length,
    drawn: [...svg.querySelectorAll('path.target, path.line, path.pass, path.fail, path.inconclusive, path.rejected')].map((p) => ({ cls: p.getAttribute('class'), d: p.getAttribute('d'), length: p.getTotalLength() })),
  }));
  const rows = Object.fromEntries([...document.querySelectorAll('table[data-table]')].map((t) => [t.dataset.table, t.querySelectorAll('tbody tr').length]));
  const backups = document.querySelector('table[data-table="backups"]');
  return {
    title: document.title,
    resources: performance.getEntriesByType('resource').length,
    scripts: document.scripts.length,
    images: document.images.length,
    backupsVisible: !!backups && backups.getBoundingClientRect().height > 0,
    charts,
    rows,
  };
})()`;

describe('a stack report', () => {
  it('covers every asset of the stack file, in restore order, with lines per name, and nothing else in the store', async () => {
    const folder = tempFolder('lifeboat-report-stack-');
    const store = await openStore({ store: folder }, contextAt());
    for (const name of ['shop-app', 'shop-cache', 'other']) {
      await writeBackup(store, name, idAt('2025-12-30T02:00:00Z', 'backup'));
      await writeDrill(store, name, { backupId: idAt('2025-12-30T02:00:00Z', 'backup'), verdict: name === 'shop-cache' ? 'fail' : 'pass', finishedAt: '2025-12-30T10:00:00Z', id: idAt('2025-12-30T09:58:00Z', 'drilla') });
    }
    const stackFile = join(tempFolder('lifeboat-report-stack-file-'), 'lifeboat.yml');
    writeFileSync(
      stackFile,
      ['stack: shop', 'restore-order: [cache, app]', 'assets:', '  - name: app', '    engine: postgres', '    settings: { database-url: "${APP_DATABASE_URL}" }', '  - name: cache', '    engine: redis', '    settings: { redis-url: "${CACHE_REDIS_URL}" }', ''].join('\n'),
    );
    const ctx = contextAt();
    const outcome = await report(resolveOptions(reportOperation, objectSource({ store: folder, stack: stackFile, since: '2025-12-01', format: 'md', 'drill-every': '35d' })), ctx);
    const stacked = outcome.data as ReportModel;
    expect(stacked.names).toEqual(['shop-cache', 'shop-app']);
    expect(stacked.controls.month.map((l) => `${l.name} ${l.period} ${l.control} ${l.met}`)).toEqual(['shop-cache 2025-12 drill-cadence true', 'shop-app 2025-12 drill-cadence true']);
    // Cadence counts from the period's start when nothing passed before it; overdue knows better.
    expect(stacked.overdue).toEqual([{ name: 'shop-cache', what: 'drill', limitMs: 35 * DAY }]);
    const markdown = ctx.reporter.summaries.join('\n');
    expect(markdown).toContain('## Lifeboat report: shop-cache, shop-app');
    expect(markdown).toContain('| Period | Name | Control | Target | Result | Drill records | Manifest SHA-256 |');
    expect(markdown).toContain('#### shop-cache');
  });
});
