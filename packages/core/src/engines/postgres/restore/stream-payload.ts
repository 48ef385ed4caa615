import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decompressFile, zstdFilter } from '../../../process/zstd.js';
import { LifeboatError } from '../../../report/errors.js';
import { ArchiveFormatError } from './errors.js';

/**
 * The archive pg_restore reads: the decrypted payload itself, or, when the manifest records
 * `streamCompression: zstd`, its decompressed copy beside it (pg_restore --jobs needs a file
 * it can seek in). The compressed file is removed once decompressed, so the work folder
 * holds one copy. A corrupt or truncated frame fails naming zstd; nothing partial is kept.
 */
export async function archiveFile(payloadPath: string, section: Record<string, unknown>, workDir: string, env: Record<string, string | undefined>): Promise<string> {
  const outer = section.streamCompression;
  if (outer === undefined) return payloadPath;
  if (outer !== 'zstd') {
    throw new ArchiveFormatError(
      `The manifest says the payload is compressed with ${JSON.stringify(outer)}, which this Lifeboat cannot decompress.`,
      'Restore with the Lifeboat version that took the backup, or newer.',
    );
  }
  const out = join(workDir, 'db.pgdump');
  const zstd = await zstdFilter('decompress', env, {
    missing: () => new ArchiveFormatError('The payload is zstd-compressed; decompressing it needs Node 22.15 or newer, or the `zstd` program on PATH.', 'Install zstd (`apt-get install zstd`).'),
    failed: (message) => new ArchiveFormatError(`The payload's zstd stream is corrupt or truncated: ${message}`, 'Drill or restore another backup; check the store for damage (the payload\'s sha256 matched, so the backup was written damaged).'),
  });
  try {
    await decompressFile(payloadPath, out, zstd);
  } catch (error) {
    if (error instanceof LifeboatError) throw error;
    throw new ArchiveFormatError(
      `The payload's zstd stream is corrupt or truncated: ${error instanceof Error ? error.message : String(error)}.`,
      'Drill or restore another backup; check the store for damage.',
    );
  }
  await rm(payloadPath, { force: true });
  return out;
}
