import { z } from 'zod';

/**
 * The manifest's `source` section of a command backup: which preset or command wrote the
 * payload (redacted) and how it ended. Operational facts only; counts go to the encrypted stats.
 */
export const commandManifestSchema = z.looseObject({
  kind: z.literal('command'),
  /** The preset that filled in the commands; absent for an operator's own command. */
  preset: z.string().optional(),
  /** The backup command as run, secrets and URL passwords redacted. */
  command: z.string(),
  /** True when it ran through `/bin/sh -c`. */
  shell: z.boolean(),
  /** The payload file name (before `.pgp`). */
  payloadFile: z.string(),
  exitCode: z.number().int(),
  durationMs: z.number().nonnegative(),
  /** True when a count command ran; its counts are in the stats. */
  counted: z.boolean(),
  /** `preset: mongodb` with `mongodb-oplog`: the archive holds an oplog to replay. */
  oplog: z.boolean().optional(),
});

/** A command backup's manifest section. */
export type CommandManifestSection = z.infer<typeof commandManifestSchema>;

/** The encrypted stats of a command backup: the count command's JSON output. */
export const commandStatsSchema = z.looseObject({
  kind: z.literal('command'),
  /** The count command's output right after the dump. */
  counts: z.unknown().optional(),
  /** Its output right before the dump started. */
  countsBefore: z.unknown().optional(),
  countCommand: z.string().optional(),
});
