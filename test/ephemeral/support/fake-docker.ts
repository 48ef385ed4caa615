import pg from 'pg';
import type { DockerCommandResult, DockerRunner } from '../../../packages/core/src/engines/postgres/ephemeral/index.js';

/** A recorded docker call: its arguments and the environment's POSTGRES_PASSWORD. */
export interface DockerCall {
  readonly args: readonly string[];
  readonly passwordEnv: string | undefined;
}

/** What the stand-in engine does; every field has a working default. */
export interface FakeDockerScript {
  /** `docker version`: an engine answers (default) or not. */
  engine?: boolean;
  /** `docker run` result when it fails. */
  runFailure?: DockerCommandResult;
  /**
   * The real server the "container" stands for: `docker run` sets its superuser password to
   * the one passed in POSTGRES_PASSWORD, and `docker port` answers its port.
   */
  backing?: { port: number; password: string };
  /** A port to answer instead (e.g. one nothing listens on). */
  port?: number;
  /** `docker inspect` state (default `running`). */
  state?: () => string;
  logs?: string;
  /** `docker rm` result (default: success). */
  removeFailure?: DockerCommandResult;
}

const ok = (stdout = ''): DockerCommandResult => ({ exitCode: 0, stdout, stderr: '' });

/**
 * A docker command runner for tests, where no docker engine runs: it answers the calls
 * Lifeboat makes the way the docker CLI does, and its "container" is a real PostgreSQL
 * server started beforehand, so readiness and connections are real.
 */
export function fakeDocker(script: FakeDockerScript = {}): { docker: DockerRunner; calls: DockerCall[]; removed: () => string[] } {
  const calls: DockerCall[] = [];
  const docker: DockerRunner = async (args, options) => {
    calls.push({ args: [...args], passwordEnv: options.env.POSTGRES_PASSWORD });
    switch (args[0]) {
      case 'version':
        return script.engine === false
          ? { exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }
          : ok('27.3.1\n');
      case 'run': {
        if (script.runFailure) return script.runFailure;
        const backing = script.backing;
        if (backing) {
          const client = new pg.Client({ host: '127.0.0.1', port: backing.port, user: 'postgres', password: backing.password, database: 'postgres' });
          await client.connect();
          try {
            const password = options.env.POSTGRES_PASSWORD ?? '';
            await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
            backing.password = password;
          } finally {
            await client.end();
          }
        }
        return ok('4f1d2c3b5a69e8f70123456789abcdef0123456789abcdef0123456789abcdef\n');
      }
      case 'port': {
        const port = script.port ?? script.backing?.port;
        return port === undefined ? { exitCode: 1, stdout: '', stderr: 'Error: No public port' } : ok(`127.0.0.1:${port}\n`);
      }
      case 'inspect':
        return ok(`${script.state?.() ?? 'running'}\n`);
      case 'logs':
        return ok(script.logs ?? '');
      case 'rm':
        return script.removeFailure ?? ok(`${args.at(-1)}\n`);
      default:
        return { exitCode: 1, stdout: '', stderr: `unknown command ${args[0]}` };
    }
  };
  return { docker, calls, removed: () => calls.filter((c) => c.args[0] === 'rm').map((c) => c.args.join(' ')) };
}
