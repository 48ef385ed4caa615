import { randomBytes } from 'node:crypto';

const ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([a-z2-7]{6})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A new backup id, `YYYYMMDDTHHMMSSZ-xxxxxx`: sorts by time as text, and the random suffix
 * (30 bits) keeps two runs started in the same second apart.
 */
export function newBackupId(at: Date, random: (size: number) => Buffer = randomBytes): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const bytes = random(6);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % 32];
  return `${stamp}-${suffix}`;
}

/** True when `text` has the shape of a backup (or drill) id. */
export function isBackupId(text: string): boolean {
  return ID_PATTERN.test(text);
}

/** The time encoded in an id (second precision), or undefined when it is not an id. */
export function backupIdTime(id: string): Date | undefined {
  const match = ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
