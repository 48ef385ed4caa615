export * from './errors.js';
export { detectPayloadKind, readArchiveHeader, minRestoreMajor, type ArchiveHeader } from './archive.js';
export {
  restorePostgres,
  classifyErrors as classifyRestoreErrors,
  type RestorePostgresOptions,
  type RestoreResult,
  type KnownRestoreIssue,
  type DumpOrigin,
} from './restore-postgres.js';
export { postgresRestoreSettings } from './from-options.js';
export { restoreGlobals, type GlobalsRestoreResult } from './restore-globals.js';
// Helpers a drill runs on the restored database.
export { readServerInfo, listTables, countRows, type ServerInfo, type ConnectionTarget } from '../server-info.js';
export * from '../ephemeral/index.js';
