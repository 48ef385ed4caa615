import { formatDuration } from '../options/values.js';
import type { GateFacts, GateLimits, GateVerdict } from './verdict.js';
import { formatLimit } from './verdict.js';

/** Everything the gate's job summary shows. */
export interface GateReport {
  readonly facts: GateFacts;
  readonly verdict: GateVerdict;
  readonly limits: GateLimits;
  readonly problems: readonly string[];
  readonly pass: boolean;
  readonly backupTaken?: string;
  readonly store: string;
}

/** Markdown for the job summary: the verdict, the newest backup and drill with ages and limits, and every problem. */
export function gateSummary(report: GateReport): string {
  const { facts, verdict, limits } = report;
  const { chain } = facts;
  const name = facts.name ? `\`${facts.name}\`` : '(no backups)';
  const age = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));
  const mark = (ok: boolean) => (ok ? '✅' : '❌');
  const drill = facts.drill;
  const drillState = !drill ? 'none' : drill.verdict === 'pass' ? 'passed' : 'failed';
  const lines = [
    `### ${mark(report.pass)} Backup gate: ${report.pass ? 'pass' : 'fail'} for ${name}`,
    '',
    '| | id | age | max | state |',
    '| --- | --- | --- | --- | --- |',
    `| Newest backup | ${facts.backup ? `\`${facts.backup.id}\`` : '—'} | ${age(verdict.backupAgeMs)} | ${formatLimit(limits.maxBackupAge)} | ${mark(verdict.backupOk)} ${facts.backup ? (verdict.backupOk ? 'fresh' : 'stale') : 'missing'} |`,
    `| Newest drill | ${drill ? `\`${drill.id}\`` : '—'} | ${age(verdict.drillAgeMs)} | ${formatLimit(limits.maxDrillAge)} | ${mark(verdict.drillOk)} ${drillState} |`,
    '',
    `Store: ${report.store}`,
  ];
  if (drill?.backupId) lines.push(`Drilled backup: \`${drill.backupId}\``);
  if (report.backupTaken) lines.push(`A fresh backup was taken first: \`${report.backupTaken}\``);
  if (chain) lines.push('', `${chain.ok ? '' : '⚠️ '}${chain.text}`);
  if (report.problems.length > 0) lines.push('', ...report.problems.map((p) => `- ${p}`));
  if (verdict.notes.length > 0) lines.push('', ...verdict.notes.map((n) => `- ${n}`));
  if (facts.ignored && facts.ignored.length > 0) lines.push('', '**Not trusted** (dated in the future, or unsigned):', ...facts.ignored.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
