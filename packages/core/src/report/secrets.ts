/**
 * Process-wide registry of secret values. Everything the project prints, stores as evidence
 * or puts in an error message passes through `redact`, so a secret registered once never
 * leaves the process in clear text.
 */
const secrets = new Set<string>();
const listeners = new Set<(value: string) => void>();

/** Minimum length worth redacting; shorter values would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Registers a secret value so that `redact` hides it from then on. */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const trimmed = value.trim();
  for (const candidate of new Set([value, trimmed, ...trimmed.split(/\r?\n/).map((l) => l.trim())])) {
    if (candidate.length < MIN_SECRET_LENGTH || secrets.has(candidate)) continue;
    secrets.add(candidate);
    for (const listener of listeners) listener(candidate);
    // URL-encoded forms show up in connection strings.
    const encoded = encodeURIComponent(candidate);
    if (encoded !== candidate) secrets.add(encoded);
  }
}

/** Calls `listener` for every secret registered from now on (used to mask in Actions logs). */
export function onSecretRegistered(listener: (value: string) => void): () => void {
  listeners.add(listener);
  for (const value of secrets) listener(value);
  return () => listeners.delete(listener);
}

/** Hides every registered secret and every password embedded in a URL. */
export function redact(text: string): string {
  let out = redactUrlPasswords(text);
  // Longest first, so a secret containing another is hidden whole.
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  for (const secret of sorted) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Replaces `user:password@` in any URL-like text with `user:***@`. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi, '$1:***@');
}

/** Forgets every registered secret; tests use it to start clean. */
export function clearSecretsForTests(): void {
  secrets.clear();
}
