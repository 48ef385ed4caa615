import { z } from 'zod';
import type { Engine } from '../engine.js';
import { verifyCanisterArchive } from './verify-archive.js';

/** The manifest section of a canister export or snapshot archive, as a drill reads it. */
export const canisterSectionSchema = z.looseObject({
  kind: z.enum(['canister', 'canister-snapshot']),
});

/** A canister backup's manifest section, parsed. */
export type CanisterSection = z.infer<typeof canisterSectionSchema>;

/**
 * Internet Computer canisters: backed up by `lifeboat canister-export` (its own operation);
 * there is nothing to restore an export into, so a drill checks the decrypted archive itself
 * against its trailer and the manifest.
 */
export const canisterEngine: Engine<CanisterSection> = {
  id: 'canister',
  title: 'canister',
  kinds: ['canister', 'canister-snapshot'],
  section: canisterSectionSchema,
  drill: {
    async automaticChecks(backup) {
      return (await verifyCanisterArchive(backup.payloadPath, backup.section)).checks;
    },
  },
};
