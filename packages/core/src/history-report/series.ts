/**
 * The chart series of a history report, and the small unicode sparklines the Markdown
 * report shows in job summaries. Pure: records come in, numbers go out.
 */

/** One point of a chart: a time and a value. */
export interface Point {
  at: string;
  value: number;
  /** What the point is, e.g. a drill id, for tooltips. */
  label?: string;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of `values`, one bar each, scaled from the lowest to the highest. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low;
  return values
    .map((value) => BARS[span === 0 ? 0 : Math.round(((value - low) / span) * (BARS.length - 1))])
    .join('');
}

/** The points of `items` that have a figure, ordered by time. */
export function seriesOf<T>(items: readonly T[], at: (item: T) => string, value: (item: T) => number | undefined, label?: (item: T) => string): Point[] {
  return items
    .flatMap((item) => {
      const figure = value(item);
      return figure === undefined || !Number.isFinite(figure) ? [] : [{ at: at(item), value: figure, ...(label && { label: label(item) }) }];
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * At most `max` values: consecutive runs averaged, so a year of daily figures fits a job
 * summary's line as a sparkline of about weekly bars. Fewer values are returned as they are.
 */
export function downsample(values: readonly number[], max: number): number[] {
  if (values.length <= max) return [...values];
  const result: number[] = [];
  for (let bucket = 0; bucket < max; bucket++) {
    const slice = values.slice(Math.floor((bucket * values.length) / max), Math.floor(((bucket + 1) * values.length) / max));
    result.push(slice.reduce((sum, v) => sum + v, 0) / slice.length);
  }
  return result;
}
