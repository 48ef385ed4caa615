import { z } from 'zod';

/** The payload's name as stored (before `.pgp` / `.age`). */
export const FILES_PAYLOAD_FILE = 'files.tar';

/** The checksum list inside the archive, in `sha256sum` format, written after every file. */
export const SUMS_ENTRY = 'SHA256SUMS';

/**
 * The manifest's `source` section of a files backup. Operational facts only: the paths, the
 * file names and counts go to the encrypted stats.
 */
export const filesManifestSchema = z.looseObject({
  kind: z.literal('files'),
  /** A POSIX (pax) tar archive with a SHA256SUMS entry last. */
  payloadFormat: z.literal('tar'),
  /** The secret scan was waived with `allow-secrets: true`: this backup may hold secrets. */
  allowSecrets: z.boolean(),
  /** How many findings the scan made (only when `allowSecrets`); where, is in the encrypted stats. */
  secretFindings: z.number().int().nonnegative().optional(),
});

/** A files backup's manifest section. */
export type FilesManifestSection = z.infer<typeof filesManifestSchema>;

/** What a files backup records, encrypted: what the drill compares with. */
export const filesStatsSchema = z.looseObject({
  /** The `paths` as given. */
  paths: z.array(z.string()),
  files: z.number().int().nonnegative(),
  directories: z.number().int().nonnegative(),
  symlinks: z.number().int().nonnegative(),
  /** Bytes of regular files. */
  bytes: z.number().int().nonnegative(),
  /** Special files (sockets, FIFOs, devices) that were left out. */
  skipped: z.array(z.string()).default([]),
  /** `allow-secrets` backups: where the scan found what (never the values). */
  secrets: z.array(z.object({ path: z.string(), line: z.number(), what: z.string() })).default([]),
});

/** A files backup's stats. */
export type FilesStats = z.infer<typeof filesStatsSchema>;

/** Reads a manifest section; throws a zod error naming the field when it is not a files section. */
export function parseFilesSection(section: unknown): FilesManifestSection {
  return filesManifestSchema.parse(section);
}

/** The stats of a files backup, or undefined when absent or of another kind. */
export function readFilesStats(stats: Record<string, unknown> | undefined): FilesStats | undefined {
  const parsed = filesStatsSchema.safeParse(stats);
  return parsed.success ? parsed.data : undefined;
}
