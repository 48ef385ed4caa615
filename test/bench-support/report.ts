/** Printing benchmark figures: Markdown tables that read well in a terminal and paste into a PR. */

/** Prints a heading, a table (columns in the order of the first row's keys) and notes. */
export function printTable(title: string, rows: readonly Record<string, string>[], notes: readonly string[] = []): void {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = ['', `### ${title}`, '', line(columns), line(widths.map((w) => '-'.repeat(w)))];
  for (const row of rows) out.push(line(columns.map((c) => row[c] ?? '')));
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${n}`));
  console.log(`${out.join('\n')}\n`);
}

/** `12.3 s` */
export function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

/** `1,234.5 MiB` */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MiB`;
}

/** `1.07×` */
export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** MiB/s of `bytes` over `secs`. */
export function rate(bytes: number, secs: number): string {
  return `${(bytes / 2 ** 20 / secs).toFixed(0)} MiB/s`;
}

/** A target line: the figure, the target and whether this run met it (informational only). */
export function target(label: string, figure: string, goal: string, met: boolean): string {
  return `${label}: ${figure} (target ${goal}: ${met ? 'met' : 'NOT met'})`;
}
