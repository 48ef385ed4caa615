import type { ZstdSettings } from '../../../process/zstd.js';
import { ArchiveFormatError } from './errors.js';

/**
 * The zstd settings of a payload whose manifest records `streamCompression: zstd` (the drill
 * decompresses it while decrypting, so pg_restore gets the archive, a file it can seek in
 * for --jobs); undefined when pg_restore reads the payload as it is. Another outer
 * compression, from a newer Lifeboat, is refused by name.
 */
export function streamZstd(section: { readonly streamCompression?: string }): ZstdSettings | undefined {
  const outer = section.streamCompression;
  if (outer === undefined) return undefined;
  if (outer !== 'zstd') {
    throw new ArchiveFormatError(
      `The manifest says the payload is compressed with ${JSON.stringify(outer)}, which this Lifeboat cannot decompress.`,
      'Restore with the Lifeboat version that took the backup, or newer.',
    );
  }
  return {
    missing: () => new ArchiveFormatError('The payload is zstd-compressed; decompressing it needs Node 22.15 or newer, or the `zstd` program on PATH.', 'Install zstd (`apt-get install zstd`).'),
    failed: (message) =>
      new ArchiveFormatError(
        `The payload's zstd stream is corrupt or truncated: ${message}`,
        "Drill or restore another backup; check the store for damage (the payload's SHA-256 matched the manifest, so the backup was written damaged).",
      ),
  };
}
