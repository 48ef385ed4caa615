import type { Reporter } from '../../../report/reporter.js';
import { detectPlatform } from '../../../toolchain/platform.js';
import { chooseEphemeralPostgres, dockerWorthProbing, isLinuxRunner } from './choose.js';
import { dockerCli, dockerEnv, probeDocker, type DockerRunner } from './docker-command.js';
import { startDockerPostgres } from './docker-postgres.js';
import type { EphemeralPostgres } from './ephemeral-postgres.js';
import { NoEphemeralPostgresError } from './errors.js';
import { startLocalCluster } from './local-cluster.js';
import { findServerInstallations } from './server-binaries.js';

/** What a drill without a target gives to get one. */
export interface EphemeralPostgresOptions {
  /** The major the backup needs (its source server's). */
  readonly major: number;
  /** Scratch space for a local cluster. */
  readonly tempDir: string;
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
  /** Decides runner detection, where binaries are looked for, and the docker client's environment. */
  readonly env: Record<string, string | undefined>;
  /** Runs docker; default: the client on PATH. */
  readonly docker?: DockerRunner;
}

/** A throwaway server of the needed major (or a newer local one): local binaries, else a container on Linux runners. */
export async function startEphemeralPostgres(options: EphemeralPostgresOptions): Promise<EphemeralPostgres> {
  const { major, reporter, signal, env } = options;
  const platform = await detectPlatform();
  const installations = await findServerInstallations(env, platform);
  const facts = { major, installations, linuxRunner: isLinuxRunner(env, platform), platform };
  const docker = options.docker ?? dockerCli();
  const status = dockerWorthProbing(facts) ? await probeDocker(docker, dockerEnv(env), signal) : undefined;
  const choice = chooseEphemeralPostgres({ ...facts, docker: status });
  switch (choice.kind) {
    case 'local': {
      if (choice.note) reporter?.info(`Note: ${choice.note}`);
      const server = await startLocalCluster({
        major: choice.installation.major,
        binDir: choice.installation.binDir,
        tempDir: options.tempDir,
        reporter,
        signal,
        env,
      });
      return choice.note ? { ...server, note: choice.note } : server;
    }
    case 'docker':
      return startDockerPostgres({ major, reporter, signal, env, docker });
    case 'refuse':
      throw new NoEphemeralPostgresError(choice.reason, choice.fix, major);
  }
}
