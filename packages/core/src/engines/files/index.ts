/** The files engine: options, backup source, secret scan, manifest section, drill and restore, break-glass steps. */
export * from './options.js';
export * from './errors.js';
export { createFilesSource, type FilesBackupSettings, type FilesSource } from './source.js';
export { scanLine, scanPath, scanText, SecretScanner, describeFinding, type SecretFinding } from './secret-scan.js';
export { filesManifestSchema, filesStatsSchema, parseFilesSection, readFilesStats, FILES_PAYLOAD_FILE, type FilesManifestSection, type FilesStats } from './manifest.js';
export { extractArchive, type Extracted } from './extract.js';
export { restoreForDrill, restoreInto, assertEmptyTarget, type FilesRestoredTarget } from './drill.js';
export { parseChecks as parseFilesChecks, type FilesCheck } from './checks.js';
export { breakGlass as filesBreakGlass } from './break-glass.js';
export { filesEngine } from './engine.js';
