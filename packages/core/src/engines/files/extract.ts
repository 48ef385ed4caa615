import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lutimes, mkdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { FilesArchiveError } from './errors.js';
import { SUMS_ENTRY } from './manifest.js';
import { parseSums, safeEntryName } from './paths.js';

// SHA256SUMS holds one short line per file; anything larger is not ours.
const MAX_SUMS_BYTES = 64 * 1024 * 1024;

/** What an extraction wrote, and how it compares with the archive's SHA256SUMS. */
export interface Extracted {
  /** Regular files written, with their SHA-256 as written. */
  readonly files: ReadonlyMap<string, { readonly sha256: string; readonly size: number }>;
  readonly directories: number;
  readonly symlinks: number;
  readonly bytes: number;
  /** The archive's SHA256SUMS, or undefined when it has none. */
  readonly sums: ReadonlyMap<string, string> | undefined;
  /** Files whose bytes do not match SHA256SUMS. */
  readonly mismatched: readonly string[];
  /** Names in SHA256SUMS with no file in the archive. */
  readonly missing: readonly string[];
  /** Files in the archive that SHA256SUMS does not list. */
  readonly unlisted: readonly string[];
}

/** True when every file is listed in SHA256SUMS with its exact hash, and every listed file is there. */
export function extractionIntact(extracted: Extracted): boolean {
  return extracted.sums !== undefined && extracted.mismatched.length === 0 && extracted.missing.length === 0 && extracted.unlisted.length === 0;
}

/** One line for a failed verification: the first few files named, with the cause. */
export function describeDamage(extracted: Extracted): string {
  if (!extracted.sums) return `the archive has no ${SUMS_ENTRY}`;
  const parts: string[] = [];
  const name = (list: readonly string[]) => list.slice(0, 5).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
  if (extracted.mismatched.length) parts.push(`SHA-256 does not match ${SUMS_ENTRY} for ${name(extracted.mismatched)}`);
  if (extracted.missing.length) parts.push(`listed in ${SUMS_ENTRY} but not in the archive: ${name(extracted.missing)}`);
  if (extracted.unlisted.length) parts.push(`in the archive but not in ${SUMS_ENTRY}: ${name(extracted.unlisted)}`);
  return parts.join('; ');
}

/**
 * Extracts a files backup's tar archive into an empty folder, with modes and times, and
 * checks every file's SHA-256 against the archive's SHA256SUMS (kept out of the folder).
 * Entries that would land outside the folder (absolute names, `..`, a path through a link
 * the archive made) are refused, as are kinds Lifeboat never writes (devices, hard links).
 */
export async function extractArchive(payloadPath: string, dir: string, options: { readonly keepModes?: boolean } = {}): Promise<Extracted> {
  // A drill reads every file and then removes the folder: its own modes stay owner-read/write.
  const keepModes = options.keepModes ?? true;
  const files = new Map<string, { sha256: string; size: number }>();
  const links = new Set<string>();
  const folders: { path: string; mode: number; mtime: Date }[] = [];
  let directories = 0;
  let bytes = 0;
  let sumsText: string | undefined;
  const extractor = tarExtract();
  const feeding = pipeline(createReadStream(payloadPath), extractor);
  feeding.catch(() => {});
  try {
    for await (const entry of extractor) {
      const { header } = entry;
      const name = header.name.replace(/\/+$/, '');
      if (!safeEntryName(header.name)) throw new FilesArchiveError(`The archive holds an entry named ${JSON.stringify(header.name)}, which would land outside the restore folder.`);
      const parts = name.split('/');
      for (let i = 1; i < parts.length; i++) {
        if (links.has(parts.slice(0, i).join('/'))) throw new FilesArchiveError(`The archive's entry ${name} goes through the symbolic link ${parts.slice(0, i).join('/')}.`);
      }
      if (files.has(name) || links.has(name)) throw new FilesArchiveError(`The archive holds ${name} twice.`);
      const path = join(dir, name);
      const mode = (header.mode ?? 0o644) & 0o1777;
      const mtime = header.mtime ?? new Date();
      if (name === SUMS_ENTRY && header.type === 'file') {
        if ((header.size ?? 0) > MAX_SUMS_BYTES) throw new FilesArchiveError(`The archive's ${SUMS_ENTRY} is ${header.size} bytes, more than a checksum list.`);
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        sumsText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      if (parts.length > 1) await mkdir(join(dir, ...parts.slice(0, -1)), { recursive: true, mode: 0o700 });
      if (header.type === 'directory') {
        directories++;
        await mkdir(path, { recursive: true, mode: 0o700 });
        folders.push({ path, mode, mtime });
        entry.resume();
      } else if (header.type === 'symlink') {
        links.add(name);
        await symlink(header.linkname ?? '', path);
        await lutimes(path, mtime, mtime).catch(() => {});
        entry.resume();
      } else if (header.type === 'file' || header.type === 'contiguous-file') {
        const hash = createHash('sha256');
        let size = 0;
        const tap = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        });
        // `wx`: never write through something already there (a link of the archive's own).
        await pipeline(entry, tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        await chmod(path, keepModes ? mode : (mode & 0o777) | 0o600);
        await utimes(path, mtime, mtime);
        files.set(name, { sha256: hash.digest('hex'), size });
        bytes += size;
      } else {
        throw new FilesArchiveError(`The archive holds ${name} of type ${header.type}, which a files backup never writes.`);
      }
    }
    await feeding;
  } catch (error) {
    extractor.destroy();
    if (error instanceof FilesArchiveError) throw error;
    const message = (error as Error).message;
    throw new FilesArchiveError(`The decrypted payload is not a whole tar archive: ${message}.`);
  }
  // Folder modes last: a read-only folder must first take what it holds.
  for (const folder of folders.reverse()) {
    if (keepModes) await chmod(folder.path, folder.mode);
    await utimes(folder.path, folder.mtime, folder.mtime);
  }
  let sums: Map<string, string> | undefined;
  if (sumsText !== undefined) {
    try {
      sums = parseSums(sumsText);
    } catch (error) {
      throw new FilesArchiveError(`The archive's ${SUMS_ENTRY} is damaged: ${(error as Error).message}.`);
    }
  }
  const mismatched: string[] = [];
  const unlisted: string[] = [];
  for (const [name, file] of files) {
    const expected = sums?.get(name);
    if (expected === undefined) unlisted.push(name);
    else if (expected !== file.sha256) mismatched.push(name);
  }
  const missing = sums ? [...sums.keys()].filter((name) => !files.has(name)) : [];
  return { files, directories, symlinks: links.size, bytes, sums, mismatched, missing, unlisted: sums ? unlisted : [] };
}
