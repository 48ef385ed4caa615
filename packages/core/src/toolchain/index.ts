export { parseClientVersion, majorFromVersionNum, TRANSACTION_TIMEOUT_MAJOR, type PgVersion } from './version.js';
export {
  PGDG_SETUP_SCRIPT,
  detectPlatform,
  installHint,
  installSupport,
  parseOsRelease,
  platformFrom,
  type InstallSupport,
  type PlatformInfo,
} from './platform.js';
export { PG_TOOLS, discoverClients, inspectClientDir, type PgClientInstallation, type PgTool } from './discover.js';
export {
  clientCompat,
  idealMajor,
  selectPostgresClient,
  type ClientCompat,
  type ClientDecision,
  type ClientPurpose,
  type ClientRequest,
  type RefusalCode,
} from './select.js';
export { ClientInstallError, ClientMissingError, ClientTooOldError, RestoreTargetTooOldError, refusalError } from './errors.js';
export {
  cachedInstallCommands,
  clientCacheDir,
  clientCacheKey,
  clientCachePaths,
  clientPackage,
  networkInstallCommands,
  type InstallCommand,
} from './install.js';
export {
  resolvePostgresClient,
  systemToolchainHost,
  type ResolveClientOptions,
  type ResolvedClient,
  type ToolchainHost,
} from './resolve.js';
