export { serverUrl, type EphemeralPostgres, type LocalPostgres, type DockerPostgres } from './ephemeral-postgres.js';
export { DockerPostgresError, DockerUnavailableError, LocalClusterError, NoEphemeralPostgresError, ServerBinariesMissingError } from './errors.js';
export {
  findServerInstallations,
  inspectServerDir,
  pickServerInstallation,
  serverInstallHint,
  type ServerInstallation,
} from './server-binaries.js';
export { THROWAWAY_SETTINGS, startLocalCluster, type LocalClusterOptions } from './local-cluster.js';
export { dockerCli, probeDocker, type DockerCommandOptions, type DockerCommandResult, type DockerRunner, type DockerStatus } from './docker-command.js';
export { containerSettings, dockerRunArgs, parsePublishedPort, startDockerPostgres, type DockerPostgresOptions } from './docker-postgres.js';
export { chooseEphemeralPostgres, dockerWorthProbing, isLinuxRunner, type EphemeralChoice, type EphemeralFacts } from './choose.js';
export { startEphemeralPostgres, type EphemeralPostgresOptions } from './start.js';
