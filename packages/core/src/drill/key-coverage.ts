import type { DecryptionKeys } from '../crypto/decrypt.js';
import { keyedBackup } from '../retention/keys-report.js';
import { missingKeys, shortKey } from '../retention/key-needs.js';
import type { SelectedBackup } from './select.js';

/**
 * Warnings for the other complete backups under the drilled name that none of the given keys
 * opens: their next drill would fail. From the manifests the selection already read, no
 * payload. Every complete backup counts, whatever a retention policy would later prune: until
 * pruned, any of them may be drilled or restored. Keys are named by their public side only.
 */
export function keyCoverageWarnings(selected: SelectedBackup, keys: DecryptionKeys | undefined): string[] {
  if (!keys) return [];
  const held = [...keys.identities.map((identity) => identity.fingerprint), ...(keys.ageIdentities ?? []).map((identity) => identity.recipient)];
  const others = selected.backups
    .filter((backup) => backup.state === 'complete' && backup.id !== selected.manifest.id)
    .map((backup) => keyedBackup(backup, selected.name));
  return missingKeys(others, held).map(({ keys: needed, backups }) => {
    const key = needed.length === 1 ? `key ${shortKey(needed[0]!)}` : `one of the keys ${needed.map(shortKey).join(', ')}`;
    const which = backups.length === 1 ? `Backup ${backups[0]} needs` : `${backups.length} backups (${backups.join(', ')}) need`;
    return `${which} ${key}, which the identity given lacks: ${backups.length === 1 ? 'its' : 'their'} next drill or restore would fail. Keep that key in \`identity\` until retention has pruned ${backups.length === 1 ? 'it' : 'them'} (\`lifeboat keys\` says when).`;
  });
}
