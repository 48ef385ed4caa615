import { listBackupNames, readCatalog, type CatalogBackup } from '../catalog/catalog.js';
import type { RunContext } from '../context.js';
import type { KeysOptions } from '../options/keys.js';
import { markdownCell } from '../report/markdown.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import { keyNeeds, type KeyedBackup, type KeyNeed } from './key-needs.js';
import { applyRetention } from './policy.js';
import { retentionPolicyFrom } from './policy-options.js';

/** The keys of one backup as keyNeeds reads them: none needed without a manifest's recipients or when nothing but a passphrase (or nothing) encrypts it. */
export function keyedBackup(backup: CatalogBackup, name: string): KeyedBackup {
  const id = `${name}/${backup.id}`;
  // A folder without a manifest is no backup: nothing can be restored from it, whatever key it used.
  if (backup.state === 'incomplete' && !backup.manifest) return { id, keyless: true };
  const encryption = backup.manifest?.encryption;
  if (!encryption) return { id };
  const recipients = [...encryption.recipients.map((r) => r.fingerprint), ...(encryption.ageRecipients ?? [])];
  return recipients.length === 0 ? { id, keyless: true } : { id, recipients };
}

/** `lifeboat keys`: per key, the kept backups that need it and whether it can be retired under the retention policy given. */
export async function keysReport(options: KeysOptions, context: RunContext): Promise<OperationOutcome> {
  const policy = retentionPolicyFrom(options);
  const store = await openStore(options, context);
  await store.probe({ readOnly: true });
  const names = options.name ? [options.name] : await listBackupNames(store);
  const now = context.now();
  const decisions = [];
  for (const name of names) {
    const catalog = await readCatalog(store, name);
    for (const decision of applyRetention(catalog.backups, policy, now)) decisions.push({ ...decision, backup: keyedBackup(decision.backup, name) });
  }
  const needs = keyNeeds(decisions);
  for (const need of needs) context.reporter.info(`${need.key}: ${need.retire ? 'can be retired' : 'still needed'} (${need.why}).`);
  await context.reporter.summary(keysSummary(needs, store.location));
  return {
    ok: true,
    outputs: {
      keys: needs.length,
      retirable: needs.filter((n) => n.retire).map((n) => n.key).join(','),
      needed: needs.filter((n) => !n.retire).map((n) => n.key).join(','),
    },
    data: { store: store.location, keys: needs },
  };
}

function keysSummary(needs: readonly KeyNeed[], location: string): string {
  const lines = [`### Keys`, '', `Store: ${location}. Under the retention policy given; nothing was deleted.`, ''];
  if (needs.length === 0) return [...lines, 'No backup is encrypted to a key.'].join('\n');
  lines.push('| key | retire? | kept backups that need it | backups pruning would remove |', '| --- | --- | --- | --- |');
  for (const n of needs) {
    lines.push(`| \`${n.key}\` | ${n.retire ? 'yes' : `no: ${markdownCell(n.why)}`} | ${n.keptBy.length} | ${n.prunedBy.length} |`);
  }
  return lines.join('\n');
}
