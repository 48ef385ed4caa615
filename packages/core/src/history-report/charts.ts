/**
 * Inline SVG charts for the HTML report: a line of values over time with an optional target
 * line, and a pass/fail timeline. Pure string building; every label is escaped, so values read
 * from a store never become markup. No scripts: tooltips are SVG `<title>` elements.
 */
import { escapeHtml } from './escape.js';
import type { Point } from './series.js';

const WIDTH = 720;
const HEIGHT = 200;
const MARGIN = { top: 16, right: 16, bottom: 28, left: 72 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** What a line chart shows. */
export interface LineChartSpec {
  /** Names the chart for tests and styles (`data-chart`). */
  id: string;
  title: string;
  points: readonly Point[];
  from: Date;
  to: Date;
  format: (value: number) => string;
  target?: { value: number; label: string };
}

/** A line chart as an `<svg>` element; a short note instead when there is nothing to draw. */
export function lineChart(spec: LineChartSpec): string {
  if (spec.points.length === 0) return emptyChart(spec.id, spec.title, 'No data in the period.');
  const x = timeScale(spec.from, spec.to);
  const high = Math.max(...spec.points.map((p) => p.value), spec.target?.value ?? 0) * 1.1 || 1;
  const y = (value: number) => MARGIN.top + PLOT_H - (value / high) * PLOT_H;
  const line = spec.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(Date.parse(p.at)))},${num(y(p.value))}`).join(' ');
  const marks = spec.points
    .map((p) => `<circle class="mark" cx="${num(x(Date.parse(p.at)))}" cy="${num(y(p.value))}" r="${spec.points.length > 60 ? 1.5 : 3}"><title>${escapeHtml(`${p.label ?? p.at}: ${spec.format(p.value)}`)}</title></circle>`)
    .join('');
  const target = spec.target
    ? `<path class="target" d="M${MARGIN.left},${num(y(spec.target.value))} H${MARGIN.left + PLOT_W}"/><text class="target-label" x="${MARGIN.left + PLOT_W - 4}" y="${num(y(spec.target.value) - 4)}" text-anchor="end">${escapeHtml(spec.target.label)}</text>`
    : '';
  return svg(
    spec.id,
    spec.title,
    [
      axes(spec.from, spec.to, [
        [0, spec.format(0)],
        [high / 1.1, spec.format(high / 1.1)],
      ].map(([value, label]) => [y(value as number), label as string])),
      target,
      `<path class="line" d="${line}"/>`,
      marks,
    ].join(''),
  );
}

/** One drill on the timeline. */
export interface TimelineItem {
  at: string;
  /** `rejected`: a record left out (unsigned or altered), drawn as an outline. */
  verdict: 'pass' | 'fail' | 'inconclusive' | 'rejected';
  label: string;
}

/** Drills as marks on a time axis: a tall green bar for a pass, a red one for a fail, a short grey one when inconclusive, an outline for a rejected record. */
export function timelineChart(id: string, title: string, items: readonly TimelineItem[], from: Date, to: Date): string {
  if (items.length === 0) return emptyChart(id, title, 'No drills in the period.');
  const x = timeScale(from, to);
  const height = 72;
  const base = MARGIN.top + height;
  const marks = items
    .map((item) => {
      const tall = item.verdict === 'inconclusive' ? height / 3 : height;
      const left = x(Date.parse(item.at)) - 3;
      return `<path class="${item.verdict}" d="M${num(left)},${num(base)} v-${num(tall)} h6 v${num(tall)} Z"><title>${escapeHtml(`${item.label}: ${item.verdict}`)}</title></path>`;
    })
    .join('');
  return svg(id, title, `${axes(from, to, [], base)}${marks}`, base + MARGIN.bottom);
}

function svg(id: string, title: string, body: string, height = HEIGHT): string {
  return `<svg class="chart" data-chart="${escapeHtml(id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

function emptyChart(id: string, title: string, note: string): string {
  return `<p class="chart-empty" data-chart="${escapeHtml(id)}">${escapeHtml(title)}: ${escapeHtml(note)}</p>`;
}

function timeScale(from: Date, to: Date): (ms: number) => number {
  const start = from.getTime();
  const span = Math.max(1, to.getTime() - start);
  return (ms) => MARGIN.left + ((ms - start) / span) * PLOT_W;
}

/** The axis lines, a label at each month start (every few months when the period is long), and the y labels given. */
function axes(from: Date, to: Date, yLabels: readonly (readonly [number, string])[], base = MARGIN.top + PLOT_H): string {
  const x = timeScale(from, to);
  const months: Date[] = [];
  for (let m = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)); m.getTime() <= to.getTime(); m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) months.push(m);
  const step = Math.max(1, Math.ceil(months.length / 12));
  const ticks = months
    .filter((_, i) => i % step === 0)
    .map((m) => `<path class="tick" d="M${num(x(m.getTime()))},${base} v4"/><text class="x-label" x="${num(x(m.getTime()))}" y="${base + 16}" text-anchor="middle">${m.toISOString().slice(0, 7)}</text>`)
    .join('');
  const ys = yLabels
    .map(([at, label]) => `<path class="grid" d="M${MARGIN.left},${num(at)} H${MARGIN.left + PLOT_W}"/><text class="y-label" x="${MARGIN.left - 6}" y="${num(at + 4)}" text-anchor="end">${escapeHtml(label)}</text>`)
    .join('');
  return `${ys}<path class="axis" d="M${MARGIN.left},${MARGIN.top} V${base} H${MARGIN.left + PLOT_W}"/>${ticks}`;
}

function num(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
