export * from './errors.js';
export {
  resolveConnection,
  connectionForDatabase,
  describeConnection,
  connectionEnv,
  connect as connectPostgres,
  withConnection as withPostgresConnection,
  SSL_MODES,
  type SslMode,
  type PostgresConnection,
} from './connection.js';
export { clientVersion as pgToolVersion, toolPath as pgToolPath } from './client-tool.js';
export {
  parseCompression,
  formatCompression,
  LZ4_ZSTD_MIN_MAJOR,
  type CompressionMethod,
  type CompressionSetting,
  type ResolvedCompression,
} from './compression.js';
export { splitArgs as splitPgDumpArgs, checkExtraDumpArgs } from './dump-args.js';
export {
  readServerInfo,
  listDatabases,
  resolveDatabases,
  listTables,
  countRows,
  toConnection as toPostgresConnection,
  type ServerInfo,
  type ConnectionTarget,
} from './server-info.js';
export { type TableRef, type TableRows, type CountMode, type TableFilters } from './tables.js';
export {
  createPostgresSource,
  PAYLOAD_FILES as POSTGRES_PAYLOAD_FILES,
  type PostgresSource,
  type PostgresDumpSettings,
  type PostgresManifestSection,
  type PostgresStats,
  type DumpFormat,
} from './source.js';
export {
  createPostgresGlobalsSource,
  GLOBALS_PAYLOAD_FILE,
  type PostgresGlobalsSource,
  type PostgresGlobalsSettings,
} from './globals.js';
export { postgresDumpSettings, postgresGlobalsSettings, type PostgresRunEnvironment } from './from-options.js';
