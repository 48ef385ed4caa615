/**
 * What gpg's machine-readable status lines (`--status-fd`, doc/DETAILS in GnuPG) say about
 * one decryption. Plaintext is trusted only when gpg exited 0 AND reported both
 * DECRYPTION_OKAY and GOODMDC, with no line reporting a failure: an exit status alone does
 * not prove the integrity check ran (gpg exits 0 on a message without one unless told not to).
 */
export type GpgVerdict =
  | { ok: true }
  | {
      ok: false;
      /**
       * `modified`: BADMDC; `bad-passphrase`: gpg's check of a passphrase-derived key failed;
       * `no-integrity`: decrypted but without a modification detection code; `failed`: anything else.
       */
      kind: 'modified' | 'bad-passphrase' | 'no-integrity' | 'failed';
    };

/** Status keywords that mean the decryption did not succeed. */
const FAILURES = new Set(['BADMDC', 'DECRYPTION_FAILED', 'ERROR', 'FAILURE', 'NODATA', 'UNEXPECTED']);

/** Judges one run from its status lines (`[GNUPG:] KEYWORD args`, prefix optional) and exit code. */
export function judgeGpgStatus(lines: readonly string[], exitCode: number | null): GpgVerdict {
  const keywords = new Set(lines.map(keywordOf).filter((k): k is string => k !== undefined));
  if (keywords.has('BADMDC')) return { ok: false, kind: 'modified' };
  // e.g. `ERROR symkey_decrypt.maybe_error 11_BAD_PASSPHRASE`: the quick check of a passphrase-derived key.
  if (lines.some((l) => /^(?:\[GNUPG:\] )?ERROR \S+ \d*_?BAD_PASSPHRASE\b/.test(l.trim()))) return { ok: false, kind: 'bad-passphrase' };
  const failed = [...keywords].some((k) => FAILURES.has(k));
  if (!failed && exitCode === 0 && keywords.has('DECRYPTION_OKAY')) {
    return keywords.has('GOODMDC') ? { ok: true } : { ok: false, kind: 'no-integrity' };
  }
  return { ok: false, kind: 'failed' };
}

function keywordOf(line: string): string | undefined {
  const match = /^(?:\[GNUPG:\] )?([A-Z_]+)\b/.exec(line.trim());
  return match?.[1];
}

/**
 * gpg's own words for a failure, from its stderr: the lines it prefixes with `gpg: `, minus
 * debug lines (gpg logs the session key it was given as `DBG: seskey: …`) and anything
 * holding `secret`. At most `max` lines, joined with `; `.
 */
export function gpgReason(stderr: string, secret: string, max = 3): string {
  // The secret is a session key (`<id>:<hex>`) or a passphrase; neither may be echoed.
  const hex = secret.replace(/^\d+:/, '');
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('gpg: ') && !/\bDBG:|seskey/i.test(l))
    .map((l) => l.slice(5))
    .filter((l) => !(secret && (l.includes(secret) || l.toUpperCase().includes(hex.toUpperCase()))));
  return lines.slice(-max).join('; ');
}
