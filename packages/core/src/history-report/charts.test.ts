import { describe, expect, it } from 'vitest';
import { lineChart, timelineChart } from './charts.js';

const from = new Date('2026-01-01T00:00:00Z');
const to = new Date('2026-12-31T00:00:00Z');
const format = (v: number) => `${v} s`;

describe('lineChart', () => {
  it('draws a path through every point, a mark with a tooltip each, and the target line', () => {
    const svg = lineChart({ id: 'rto', title: 'RTO', from, to, format, points: [{ at: '2026-02-01T00:00:00Z', value: 10, label: 'a' }, { at: '2026-03-01T00:00:00Z', value: 20, label: 'b' }], target: { value: 15, label: 'max-rto 15 s' } });
    expect(svg).toMatch(/^<svg class="chart" data-chart="rto"/);
    expect(svg.match(/<path class="line" d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+"\/>/g)).toHaveLength(1);
    expect(svg.match(/<circle class="mark"/g)).toHaveLength(2);
    expect(svg).toContain('<title>b: 20 s</title>');
    expect(svg).toContain('<path class="target"');
    expect(svg).toContain('>max-rto 15 s</text>');
  });

  it('escapes labels and titles', () => {
    const svg = lineChart({ id: 'x"y', title: '<b>', from, to, format, points: [{ at: '2026-02-01T00:00:00Z', value: 1, label: '<script>' }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('data-chart="x&quot;y"');
    expect(svg).toContain('&lt;script&gt;: 1 s');
  });

  it('says there is no data instead of drawing an empty chart', () => {
    expect(lineChart({ id: 'rpo', title: 'RPO', from, to, format, points: [] })).toBe('<p class="chart-empty" data-chart="rpo">RPO: No data in the period.</p>');
  });
});

describe('timelineChart', () => {
  it('draws one bar per drill, classed by verdict, short when inconclusive', () => {
    const svg = timelineChart('timeline', 'Drills', [
      { at: '2026-02-01T00:00:00Z', verdict: 'pass', label: 'a' },
      { at: '2026-03-01T00:00:00Z', verdict: 'fail', label: 'b' },
      { at: '2026-04-01T00:00:00Z', verdict: 'inconclusive', label: 'c' },
    ], from, to);
    expect([...svg.matchAll(/<path class="(pass|fail|inconclusive)" d="M[\d.]+,[\d.]+ v-([\d.]+)/g)].map((m) => [m[1], Number(m[2])])).toEqual([['pass', 72], ['fail', 72], ['inconclusive', 24]]);
    expect(svg).toContain('<title>b: fail</title>');
  });
});
