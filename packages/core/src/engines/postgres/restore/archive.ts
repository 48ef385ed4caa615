import { open } from 'node:fs/promises';
import { ArchiveFormatError } from './errors.js';

/** What the header of a pg_dump archive (custom file, or a directory dump's toc.dat) says. */
export interface ArchiveHeader {
  /** Archive format version, e.g. `1.14`. */
  readonly version: string;
  readonly format: 'custom' | 'directory' | 'unknown';
  /** `none`, `gzip`, `lz4`, `zstd` (or `gzip` with a level for older archives). */
  readonly compression: string;
  readonly database?: string;
  /** Version of the server dumped, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  readonly serverVersion?: string;
  readonly serverMajor?: number;
  /** Version of the pg_dump that wrote it. */
  readonly dumpVersion?: string;
  readonly dumpMajor?: number;
  /** Oldest pg_restore major that reads this archive version. */
  readonly minRestoreMajor: number;
}

/** What a file holds: a custom archive, a tar (of a directory dump), or something else. */
export async function detectPayloadKind(path: string): Promise<'custom' | 'tar' | 'unknown'> {
  const head = await readHead(path, 512);
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'unknown';
}

/**
 * Reads an archive header (pg_backup_archiver.c's WriteHead): magic `PGDMP`, version bytes,
 * int and offset sizes, format, compression, creation time, database name, server and
 * pg_dump versions.
 */
export async function readArchiveHeader(path: string): Promise<ArchiveHeader> {
  const buf = await readHead(path, 4096);
  if (buf.subarray(0, 5).toString('latin1') !== 'PGDMP') {
    throw new ArchiveFormatError(`${path} is not a pg_dump archive (no PGDMP header).`);
  }
  let pos = 5;
  const byte = () => {
    if (pos >= buf.length) throw new ArchiveFormatError(`${path} has a truncated pg_dump header.`);
    return buf[pos++]!;
  };
  const vmaj = byte();
  const vmin = byte();
  byte(); // revision
  const intSize = byte();
  byte(); // offset size
  const formatCode = byte();
  const readInt = () => {
    const negative = byte() !== 0;
    let value = 0;
    for (let i = 0; i < intSize; i++) value += byte() * 2 ** (8 * i);
    return negative ? -value : value;
  };
  const readStr = () => {
    const length = readInt();
    if (length < 0) return undefined;
    if (pos + length > buf.length) throw new ArchiveFormatError(`${path} has a truncated pg_dump header.`);
    const text = buf.subarray(pos, pos + length).toString('utf8');
    pos += length;
    return text;
  };
  const at = (minor: number) => vmaj > 1 || (vmaj === 1 && vmin >= minor);
  let compression: string;
  if (at(15)) {
    compression = ['none', 'gzip', 'lz4', 'zstd'][byte()] ?? 'unknown';
  } else {
    const level = readInt();
    compression = level === 0 ? 'none' : level === -1 ? 'gzip' : `gzip:${level}`;
  }
  const header: { -readonly [K in keyof ArchiveHeader]?: ArchiveHeader[K] } = {
    version: `${vmaj}.${vmin}`,
    // A directory dump's toc.dat says 3 (archTar): pg_dump writes it so, the layouts being compatible.
    format: ({ 1: 'custom', 3: 'directory', 5: 'directory' } as Record<number, ArchiveHeader['format']>)[formatCode] ?? 'unknown',
    compression,
  };
  if (at(4)) {
    for (let i = 0; i < 7; i++) readInt(); // creation time
    header.database = readStr();
  }
  if (at(10)) {
    header.serverVersion = readStr();
    header.dumpVersion = readStr();
    header.serverMajor = majorOf(header.serverVersion);
    header.dumpMajor = majorOf(header.dumpVersion);
  }
  header.minRestoreMajor = minRestoreMajor(vmaj, vmin, header.dumpMajor);
  return header as ArchiveHeader;
}

/**
 * The oldest pg_restore that reads an archive version: 1.14 (table access methods) came
 * with 12, 1.15 (compression algorithm in the header) with 16, 1.16 (large-object
 * metadata, relkind) with 17. A version newer than these needs at least the pg_dump that
 * wrote it.
 */
export function minRestoreMajor(vmaj: number, vmin: number, dumpMajor?: number): number {
  if (vmaj > 1 || vmin > 16) return Math.max(dumpMajor ?? 0, 18);
  if (vmin === 16) return 17;
  if (vmin === 15) return 16;
  if (vmin === 14) return 12;
  return 9.6;
}

function majorOf(version: string | undefined): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version ?? '');
  if (!match) return undefined;
  const first = Number(match[1]);
  return first < 10 && match[2] !== undefined ? Number(`${first}.${match[2]}`) : first;
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveFormatError(`Cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, 'Check the path of the file to restore.');
  });
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
