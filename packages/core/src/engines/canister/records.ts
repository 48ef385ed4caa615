/**
 * The canister export archive: NDJSON (one JSON object per line, UTF-8, `\n` after every
 * record), compressed with zstd or gzip. This is a contract: anyone can read an archive with
 * `zstd -dc`/`gunzip` and a JSON parser.
 *
 *   header     first line, exactly once
 *   user       one per tenant, before that tenant's vault and proposal records
 *   vault      one per vault of a tenant, with all its notes
 *   proposal   one per distinct proposal of a tenant
 *   trailer    last line, exactly once; without it the archive is truncated
 *
 * Records of different tenants may interleave (tenants are exported concurrently); every
 * record names its `user_id`. Notes and proposals are kept exactly as the canister returned
 * them; a proposal whose body was not valid JSON is kept as text (`raw`, `invalid_json: true`).
 */

/** `format` of the header record. */
export const ARCHIVE_FORMAT = 'lifeboat-canister-export';
/** `format_version` of the header record; bumped on any incompatible change. */
export const ARCHIVE_FORMAT_VERSION = 1;
/** `kind` of the header record: what was exported. */
export const ARCHIVE_KIND = 'knowtation-operator-export';

/** How the tenants were found. */
export type ExportMode = 'operator' | 'single-user' | 'ktb1-import';

/** First record. */
export interface HeaderRecord {
  type: 'header';
  format: typeof ARCHIVE_FORMAT;
  format_version: typeof ARCHIVE_FORMAT_VERSION;
  kind: typeof ARCHIVE_KIND;
  /** ISO time the export started (for an import: the imported file's `exported_at`). */
  exported_at: string;
  mode: ExportMode;
  /** Origin of the canister (`https://<id>.raw.icp0.io`), no credentials; absent for imports. */
  canister_url?: string;
  /** The operator user index as first read: its `format_version` and `exported_at_ns`. */
  index?: { format_version: number; exported_at_ns: string };
  /** For imports: what the file said about itself. */
  imported_from?: { format: 'KTB1' | 'json'; kind: string; format_version: number; exported_at?: string };
}

/** One tenant. */
export interface UserRecord {
  type: 'user';
  user_id: string;
  vault_ids: string[];
}

/** One vault with every note (`path`, `frontmatter` string, `body`, and any further fields). */
export interface VaultRecord {
  type: 'vault';
  user_id: string;
  vault_id: string;
  label?: string;
  notes: unknown[];
}

/** One proposal: the full record, or its text when it was not JSON. */
export type ProposalRecord = {
  type: 'proposal';
  user_id: string;
  /** The vault whose listing named it first (absent for imports, which do not say). */
  vault_id?: string;
  proposal_id: string;
} & ({ proposal: unknown; invalid_json?: undefined } | { invalid_json: true; raw: string });

/** Record totals, as the trailer and the manifest state them. */
export interface RecordCounts {
  users: number;
  vaults: number;
  notes: number;
  proposals: number;
}

/** Last record. */
export interface TrailerRecord {
  type: 'trailer';
  /** True when the index was read to the end and every user in its last reading was exported. */
  complete: boolean;
  counts: RecordCounts;
  /** Proposals kept as text because their body was not JSON. */
  invalid_proposals: number;
  /** Users in the index at the end but not at the start (exported in a catch-up pass when possible). */
  users_appeared: string[];
  /** Users in the index at the start but gone at the end. */
  users_vanished: string[];
  /** Users the last reading of the index listed that could not be exported before the end. */
  users_missing: string[];
  finished_at: string;
}

/** Any record of the archive. */
export type ArchiveRecord = HeaderRecord | UserRecord | VaultRecord | ProposalRecord | TrailerRecord;

/** One NDJSON line for a record. */
export function recordLine(record: ArchiveRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** A zero count set. */
export function emptyCounts(): RecordCounts {
  return { users: 0, vaults: 0, notes: 0, proposals: 0 };
}

/** Per-tenant totals kept for the encrypted stats file. */
export interface UserCounts {
  vaults: number;
  notes: number;
  proposals: number;
  invalidProposals: number;
}
