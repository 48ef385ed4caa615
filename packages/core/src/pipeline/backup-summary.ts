import type { EncryptionPlan } from '../crypto/index.js';
import { formatBytes, formatDuration } from '../options/values.js';
import { markdownCell } from '../report/markdown.js';
import type { Store } from '../storage/store.js';
import type { BackupRunResult, BackupSigning } from './run-backup.js';

/** One backup of a run, for outputs and the summary. */
export interface TakenBackup {
  readonly name: string;
  readonly result?: BackupRunResult;
  readonly error?: string;
  readonly pruned?: number;
}

/** The job summary of a backup run: how it was encrypted, where it went, one row per backup. */
export function renderBackupSummary(
  taken: readonly TakenBackup[],
  store: Store,
  encryption: EncryptionPlan,
  title = 'Lifeboat backup',
  signing?: BackupSigning,
): string {
  const lines = [`## ${title}`, ''];
  if (encryption.scheme === 'none') {
    lines.push('> [!WARNING]', '> **Unencrypted:** `encryption: none` was set; these backups are stored in plaintext.', '');
  } else {
    const who = [
      ...encryption.recipients.map((r) => `\`${r.fingerprint}\` ${r.userIds[0] ?? ''}`.trim()),
      ...(encryption.passphrase ? ['a passphrase'] : []),
    ];
    lines.push(`Encrypted (OpenPGP) to ${who.join(', ')}.`, '');
  }
  if (signing) {
    lines.push(`Manifests signed by \`${signing.fingerprint ?? 'the signing key'}\`.`, '');
  } else {
    lines.push('> [!WARNING]', '> **Not signed:** no `signing-key` was set; drills and restores refuse these backups unless they set `allow-unsigned`.', '');
  }
  lines.push(`Store: \`${store.location}\``, '', '| name | backup id | stored size | SHA-256 | duration | result |', '| --- | --- | --- | --- | --- | --- |');
  for (const t of taken) {
    const r = t.result;
    const result = t.error ? `❌ ${markdownCell(t.error)}` : t.pruned ? `✅ (retention deleted ${t.pruned})` : '✅';
    lines.push(
      r
        ? `| ${t.name} | \`${r.manifest.id}\` | ${formatBytes(r.storedBytes)} | \`${r.payload.sha256.slice(0, 16)}…\` | ${formatDuration(r.manifest.durationMs)} | ${result} |`
        : `| ${t.name} | — | — | — | — | ${result} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
