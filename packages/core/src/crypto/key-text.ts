import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

/** One key given in an option: an armored block written inline, or a line naming a key file. */
export type KeyEntry =
  | { kind: 'armored'; where: string; text: string; private: boolean }
  | { kind: 'path'; where: string; path: string; line: number }
  | { kind: 'unterminated'; where: string; text: string; private: boolean };

const BEGIN = /^-----BEGIN PGP ([A-Z ]+)-----$/;

/**
 * Splits option text into armored blocks and key-file paths. Lines inside an armor block
 * belong to it; every other non-blank line that is not a `#` comment is a path.
 */
export function splitKeyText(text: string, option: string): KeyEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  const entries: KeyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || line.startsWith('#')) continue;
    const begin = BEGIN.exec(line);
    if (!begin) {
      entries.push({ kind: 'path', where: `${option} line ${i + 1}`, path: line, line: i + 1 });
      continue;
    }
    const type = begin[1]!;
    const isPrivate = type.includes('PRIVATE') || type.includes('SECRET');
    const end = lines.indexOf(`-----END PGP ${type}-----`, i + 1);
    if (end < 0) {
      entries.push({ kind: 'unterminated', where: `${option} line ${i + 1}`, text: lines.slice(i).join('\n'), private: isPrivate });
      break;
    }
    const where = `the armored ${isPrivate ? 'key' : type.toLowerCase()} at ${option} lines ${i + 1}-${end + 1}`;
    entries.push({ kind: 'armored', where, text: `${lines.slice(i, end + 1).join('\n')}\n`, private: isPrivate });
    i = end;
  }
  return entries;
}

/** Expands `~/` and resolves a key-file path against `cwd`. */
export function resolveKeyPath(path: string, cwd: string = process.cwd()): string {
  const expanded = path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

/** A key file's contents: armored text, or bytes when the file is binary (`gpg --export`). */
export async function readKeyFile(path: string): Promise<{ armored: true; text: string } | { armored: false; bytes: Uint8Array }> {
  const bytes = await readFile(path);
  const head = bytes.subarray(0, 4096).toString('latin1');
  if (head.includes('-----BEGIN PGP ')) return { armored: true, text: bytes.toString('utf8') };
  return { armored: false, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** The body lines of armored text (not the BEGIN/END lines), for registering as a secret. */
export function armorBody(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('-----') && !/^[A-Za-z-]+: /.test(l))
    .join('\n');
}

/**
 * How to name a line that was read as a path: quoted when it looks like one, withheld when it
 * looks like key material (a base64 line of a key pasted without its BEGIN line).
 */
export function showPath(line: string): string {
  const keyLike = /^[A-Za-z0-9+/=]{24,}$/.test(line) || /\s/.test(line) || line.length > 255;
  return keyLike ? 'text that is neither an armored block nor a file path (not shown)' : `'${line}'`;
}
