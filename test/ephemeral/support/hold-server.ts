/**
 * A process that starts a throwaway server, prints its handle as one JSON line and then
 * either waits to be killed (`hold`) or exits without stopping it (`exit`). Tests kill it
 * to see that the server is still removed. Run with `node --import ./register-ts.mjs`.
 */
import { startDockerPostgres, startLocalCluster, type DockerRunner } from '../../../packages/core/src/engines/postgres/ephemeral/index.js';

const [kind, mode, arg] = process.argv.slice(2);

if (kind === 'local') {
  const server = await startLocalCluster({ tempDir: arg!, registerPassword: false });
  process.stdout.write(`${JSON.stringify({ pid: server.pid, rootDir: server.rootDir })}\n`);
} else {
  // A docker client whose `run` never returns: the container "exists" but start-up hangs.
  const docker: DockerRunner = async (args) => {
    if (args[0] === 'version') return { exitCode: 0, stdout: '27.0.0\n', stderr: '' };
    if (args[0] === 'run') {
      process.stdout.write(`${JSON.stringify({ name: args[args.indexOf('--name') + 1] })}\n`);
      return new Promise(() => {});
    }
    return { exitCode: 1, stdout: '', stderr: 'unexpected' };
  };
  // `arg` is a program that records its arguments: it stands in for docker in the cleanup.
  void startDockerPostgres({ major: 16, docker, dockerProgram: arg! });
}

if (mode === 'exit') setTimeout(() => process.exit(0), 100);
else setInterval(() => {}, 60_000);
