import type { DrillRecord } from '../catalog/drill-record.js';
import { formatDuration } from '../options/values.js';
import { markdownCell } from '../report/markdown.js';

/** The drill's evidence as Markdown: verdict first, then phases, checks, RPO/RTO, versions. */
export function renderEvidenceMarkdown(record: DrillRecord): string {
  const verdict = record.verdict === 'pass' ? '✅ pass' : '❌ fail';
  const lines = [
    `## Lifeboat restore drill: ${verdict}`,
    '',
    `- **Backup:** \`${record.name}/${record.backupId ?? '(none selected)'}\``,
    `- **Drill:** \`${record.id}\` at ${record.startedAt}`,
  ];
  if (record.failure) lines.push(`- **Failure:** ${markdownCell(record.failure)}`);
  if (record.rpoMs !== undefined) lines.push(`- **RPO** (backup age at drill time): ${formatDuration(record.rpoMs)}`);
  if (record.rtoMs !== undefined) lines.push(`- **RTO** (whole drill): ${formatDuration(record.rtoMs)}`);
  if (record.manifestSha256) lines.push(`- **Manifest SHA-256:** \`${record.manifestSha256}\``);
  const origin = record.authenticity;
  if (origin) {
    lines.push(
      origin.verified
        ? `- **Origin:** ✅ verified, manifest signed by \`${origin.signedBy ?? '?'}\``
        : `- **Origin:** ⚠️ **NOT VERIFIED**: ${origin.signed ? 'the signature was not checked' : 'the backup is unsigned'} and \`allow-unsigned\` is set; anyone who can write to the store could have made this backup`,
    );
    if (!origin.encrypted) lines.push('- **Encryption:** ⚠️ none: the backup was stored in plaintext');
  }
  if (record.target) lines.push(`- **Restored into:** ${markdownCell(record.target)}`);
  if (record.phases.length > 0) {
    lines.push('', '| phase | result | duration |', '| --- | --- | --- |');
    for (const phase of record.phases) {
      // The failure line above already says why; the table only marks where.
      const told = phase.error !== undefined && record.failure?.includes(phase.error);
      const result = phase.ok ? 'ok' : told ? '❌ failed (see Failure)' : `failed: ${markdownCell(phase.error ?? '')}`;
      lines.push(`| ${phase.name} | ${result} | ${formatDuration(phase.durationMs)} |`);
    }
  }
  if (record.checks.length > 0) {
    const failed = record.checks.filter((c) => !c.ok).length;
    lines.push('', `**Checks:** ${record.checks.length - failed} passed, ${failed} failed`, '');
    lines.push('| check | expected | actual | result |', '| --- | --- | --- | --- |');
    for (const check of record.checks) {
      lines.push(`| ${markdownCell(check.name)} | ${cell(check.expected)} | ${cell(check.actual)} | ${check.ok ? '✅' : '❌'} |`);
    }
  }
  if (record.notes && record.notes.length > 0) {
    lines.push('', '**Notes:**', ...record.notes.map((note) => `- ${markdownCell(note)}`));
  }
  const versions = Object.entries(record.versions);
  if (versions.length > 0) {
    lines.push('', `**Versions:** ${versions.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (record.provenance.runUrl) lines.push('', `[Workflow run](${record.provenance.runUrl})`);
  return `${lines.join('\n')}\n`;
}

function cell(value: unknown): string {
  if (value === undefined) return '';
  return markdownCell(typeof value === 'string' ? value : JSON.stringify(value));
}
