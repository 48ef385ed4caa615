import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { encryptionOptions, storeOptions } from './common.js';
import { notifyOptions } from './notify.js';
import { signingOptions } from './signing.js';
import { storeCreationOptions } from './storage.js';

/** `lifeboat canister-export` and `actions/canister-export`. */
export const canisterExportOperation = defineOperation({
  command: 'canister-export',
  summary:
    'Export an Internet Computer hub canister over its operator export API into an encrypted backup, take dfx canister snapshots, or import KTB1 export files.',
  options: {
    mode: opt.enum(['export', 'snapshot', 'import-ktb1'] as const, {
      default: 'export',
      description:
        '`export`: logical export of every tenant over HTTP while the canister stays up. `snapshot`: `dfx` stop → snapshot create → start for each of `canisters` (optionally downloaded and stored). `import-ktb1`: bring a file of the reference export tool (`KTB1` AES-256-GCM, or plain JSON) under the same catalog and checks.',
    }),
    'canister-url': opt.string({
      description:
        'Base URL of the hub canister, e.g. `https://<canister-id>.raw.icp0.io` (the non-raw `icp0.io` host answers 503 for the API). Required in `export` mode.',
    }),
    'export-key': opt.string({
      secret: true,
      description:
        'Operator export secret (`X-Operator-Export-Key`), as set by a controller with `admin_set_operator_export_secret`. Required in `export` mode unless `user-id` selects the single-user mode.',
    }),
    'gateway-secret': opt.string({
      secret: true,
      description:
        'Gateway secret sent as `X-Gateway-Auth` on every API request; needed when the canister has one configured (mainnet hubs do).',
    }),
    'page-size': opt.integer({
      default: '200',
      min: 1,
      max: 500,
      description: 'User ids asked per page of the operator user index (the canister caps it at 500).',
    }),
    concurrency: opt.integer({
      default: '4',
      min: 1,
      max: 32,
      description: 'Requests in flight at once. Higher is faster until the canister answers 429.',
    }),
    'request-timeout': opt.duration({
      default: '60s',
      description: 'Time allowed for one request, body included; a request that takes longer is retried.',
    }),
    retries: opt.integer({
      default: '5',
      min: 0,
      max: 20,
      description:
        'Retries of one request after a 429, a 5xx, a timeout or a dropped connection. 401, 403 and "export not configured" are never retried.',
    }),
    'retry-delay': opt.duration({
      default: '1s',
      description: 'First retry delay; each further retry doubles it (with jitter) up to `retry-max-delay`. A `Retry-After` header wins.',
    }),
    'retry-max-delay': opt.duration({
      default: '30s',
      description: 'Longest delay between two retries (besides a `Retry-After` the canister asks for).',
    }),
    'user-id': opt.string({
      description:
        'Single-user mode: export only this tenant (`X-User-Id`), without the operator key. In `import-ktb1` mode: the tenant of a single-vault file.',
    }),
    'vault-ids': opt.list({
      description: 'Single-user mode: the vault ids to export. Empty: the vaults the canister lists for `user-id`.',
    }),
    canisters: opt.list({
      description: '`snapshot` mode: canister names (from `dfx.json`) or ids to snapshot, in order.',
    }),
    network: opt.string({
      default: 'ic',
      description: '`snapshot` mode: the dfx network (`--network`).',
    }),
    dfx: opt.string({
      default: 'dfx',
      description: '`snapshot` mode: the dfx executable (0.23 or newer), a name on PATH or a path.',
    }),
    'dfx-project-dir': opt.string({
      description: '`snapshot` mode: folder holding `dfx.json`, where canister names resolve. Empty: the working directory.',
    }),
    'snapshot-download': opt.string({
      description:
        '`snapshot` mode: download each snapshot into this folder (`dfx canister snapshot download`) and store them, tarred, compressed and encrypted, as one backup.',
    }),
    'snapshot-replace': opt.list({
      description:
        '`snapshot` mode: `canister=snapshot-id` pairs; the new snapshot replaces that one (`--replace`), for canisters at their 10-snapshot limit.',
    }),
    'ktb1-file': opt.string({
      description: '`import-ktb1` mode: path of the file to import (`KTB1` magic + IV + AES-256-GCM ciphertext + tag, or plain JSON).',
    }),
    'ktb1-key': opt.string({
      secret: true,
      description: '`import-ktb1` mode: the AES-256-GCM key as 64 hex characters (the reference tool\'s `..._ENCRYPT_KEY_HEX`).',
    }),
    ...storeOptions,
    ...storeCreationOptions,
    name: opt.backupName({
      description:
        'Logical backup name: the folder under the store. Empty: in `export` mode the canister id of `canister-url` (`<id>.raw.icp0.io`; `canister-export` for other hosts), in `snapshot` mode `<canister>-snapshots` after the first of `canisters` as written, in `import-ktb1` mode `canister-export`.',
    }),
    store: opt.string({
      description:
        'Where backups live: a folder path or `file:///abs/path`, `s3://bucket/prefix`, or `artifact://prefix` (GitHub artifacts, inside Actions only). Required unless `mode` is `snapshot` without `snapshot-download`.',
    }),
    ...encryptionOptions,
    ...signingOptions,
    ...notifyOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup taken (export, import or downloaded snapshots).',
    location: 'Where the backup was stored.',
    size: 'Stored size in bytes.',
    sha256: 'SHA-256 of the stored payload bytes.',
    complete: '`true` when the user index was read to the end and every user it lists was exported.',
    'snapshot-ids': '`snapshot` mode: `canister=snapshot-id` pairs, comma-separated.',
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
