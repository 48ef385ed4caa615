import { envName, type OperationDef } from './define.js';

/**
 * Warnings for secrets given as command-line flags: every local user can read a process's
 * arguments (`ps`, `/proc/<pid>/cmdline`). Pure: one sentence per flag that holds a secret,
 * naming the env var to use instead. A key given as a path, or a URL without a password, is fine.
 */
export function secretFlagWarnings(operation: OperationDef, flags: Readonly<Record<string, string | undefined>>): string[] {
  const warnings: string[] = [];
  for (const [name, def] of Object.entries(operation.options)) {
    const value = flags[name];
    if (!def.secret || value === undefined || value.trim() === '') continue;
    if (!holdsSecret(value, def.orPath === true)) continue;
    const instead = def.orPath ? `set ${envName(name)} instead, or give the path of a file holding it` : `set ${envName(name)} instead`;
    warnings.push(`--${name} puts a secret on the command line, where every user of this machine can read it (ps, /proc/<pid>/cmdline): ${instead}.`);
  }
  return warnings;
}

function holdsSecret(value: string, orPath: boolean): boolean {
  const text = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return urlHoldsPassword(text);
  if (orPath) return text.includes('-----BEGIN') || text.includes('\n');
  return true;
}

function urlHoldsPassword(text: string): boolean {
  try {
    const url = new URL(text);
    return url.password !== '' || [...url.searchParams.keys()].some((key) => /pass/i.test(key));
  } catch {
    // Unparseable: assume the worst.
    return true;
  }
}
