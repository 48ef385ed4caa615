// Public API of the canister source: export, KTB1 import, snapshots, archive verification.
export { createCanisterSource, EXPORT_PAYLOAD_BASE, type CanisterSourceOptions, type CanisterManifestSection } from './canister-source.js';
export { createKtb1Source, decryptKtb1, parseKtb1Key, readReferenceExport, KTB1_MAGIC, type Ktb1SourceOptions, type ImportedDocument } from './ktb1.js';
export { verifyCanisterArchive, type CanisterArchiveVerification } from './verify-archive.js';
export {
  snapshotCanisters,
  checkDfx,
  parseDfxVersion,
  parseSnapshotId,
  parseReplacePairs,
  MIN_DFX_VERSION,
  type SnapshotOptions,
  type SnapshotTaken,
  type SnapshotRunResult,
} from './snapshot.js';
export { createSnapshotSource, SNAPSHOT_PAYLOAD_BASE, type SnapshotSourceOptions } from './snapshot-source.js';
export { chooseCompression, type Compression, type CompressionPreference } from './compression.js';
export type { PipelineRunner } from './export.js';
export * from './errors.js';
export * from './records.js';
