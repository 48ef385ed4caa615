import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { encryptionOptions, storeOptions } from './common.js';

/** `lifeboat canister-export` and `actions/canister-export`. */
export const canisterExportOperation = defineOperation({
  command: 'canister-export',
  summary: 'Export an Internet Computer hub canister over its operator export API into an encrypted backup.',
  options: {
    'canister-url': opt.string({
      required: true,
      description: 'Base URL of the hub canister, e.g. `https://<canister-id>.raw.icp0.io`.',
    }),
    'export-key': opt.string({
      secret: true,
      description: 'Operator export secret (`X-Operator-Export-Key`).',
    }),
    ...storeOptions,
    ...encryptionOptions,
  },
  outputs: {
    'backup-id': 'Id of the export backup taken.',
    location: 'Where the export was stored.',
    size: 'Stored size in bytes.',
    sha256: 'SHA-256 of the stored payload bytes.',
  },
  action: {
    folder: 'canister-export',
    name: 'Lifeboat canister export',
    description: 'Daily logical export of an Internet Computer hub canister (and optional dfx snapshots), encrypted and stored with a manifest.',
    icon: 'database',
    color: 'purple',
  },
});

/** Parsed options of `canister-export`. */
export type CanisterExportOptions = ResolvedOptions<typeof canisterExportOperation.options>;
