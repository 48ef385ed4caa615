import { posix } from 'node:path';
import { FilesPathError } from './errors.js';
import { SUMS_ENTRY } from './manifest.js';

const FIX = 'List files and folders in `paths` relative to `files-root` (e.g. `etc/app.yaml,deploy/`), without `..`.';

/**
 * The archive names of the `paths` entries: normalized, relative, `..`-free, without
 * duplicates or an entry inside another one, never `SHA256SUMS`. Pure.
 */
export function archivePaths(paths: readonly string[]): string[] {
  if (paths.length === 0) throw new FilesPathError('`paths` is empty.', FIX);
  const names: string[] = [];
  for (const raw of paths) {
    const given = raw.trim();
    if (given === '') continue;
    if (given.includes('\n') || given.includes('\0')) throw new FilesPathError(`The path ${JSON.stringify(given)} holds a newline or NUL.`, FIX);
    if (given.startsWith('/')) throw new FilesPathError(`The path ${given} is absolute.`, `${FIX} Set \`files-root\` to the folder they are under (e.g. \`files-root: /\`).`);
    const normal = posix.normalize(given).replace(/\/+$/, '');
    if (normal === '..' || normal.startsWith('../')) throw new FilesPathError(`The path ${given} leads outside \`files-root\`.`, FIX);
    const name = normal === '' || normal === '.' ? '.' : normal;
    if (name === SUMS_ENTRY) throw new FilesPathError(`The path ${given} is named like the archive's own \`${SUMS_ENTRY}\`.`, 'Back up the folder that holds it instead, or rename it.');
    names.push(name);
  }
  if (names.length === 0) throw new FilesPathError('`paths` is empty.', FIX);
  const unique = [...new Set(names)].sort();
  for (const name of unique) {
    const parent = unique.find((other) => other !== name && (other === '.' || name.startsWith(`${other}/`)));
    if (parent) throw new FilesPathError(`The path ${name} is inside ${parent === '.' ? 'the root' : parent}, which is listed too.`, 'List each file or folder once.');
  }
  return unique;
}

/** The line of a file in SHA256SUMS, escaped as GNU sha256sum writes names with `\` or a newline. */
export function sumsLine(sha256: string, name: string): string {
  if (!/[\\\n]/.test(name)) return `${sha256}  ${name}\n`;
  return `\\${sha256}  ${name.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n`;
}

/** Reads SHA256SUMS back into name → sha256; throws on a line that is not one. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^(\\?)([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new Error(`not a sha256sum line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = match[1] ? match[3]!.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : match[3]!;
    sums.set(name, match[2]!);
  }
  return sums;
}

/** Whether a tar entry's name is safe to extract under a folder: relative, no `..`, no empty segment. */
export function safeEntryName(name: string): boolean {
  const trimmed = name.replace(/\/+$/, '');
  if (trimmed === '' || trimmed.startsWith('/') || trimmed.includes('\0')) return false;
  return trimmed.split('/').every((part) => part !== '' && part !== '..' && part !== '.');
}
