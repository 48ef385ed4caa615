import { LifeboatError } from '../../../report/errors.js';
import { redact } from '../../../report/secrets.js';

/** No PostgreSQL server binaries (initdb, postgres) of the needed major on this machine. */
export class ServerBinariesMissingError extends LifeboatError {
  readonly major: number | undefined;

  constructor(message: string, fix: string, major?: number) {
    super('postgres-server-missing', message, fix);
    this.major = major;
  }
}

/** A throwaway local cluster could not be created or did not come up; the server's own words are kept. */
export class LocalClusterError extends LifeboatError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('ephemeral-postgres-failed', redact(message), fix, options);
  }
}

/** `docker` is not installed, or its engine does not answer. */
export class DockerUnavailableError extends LifeboatError {
  constructor(message: string, fix: string) {
    super('docker-unavailable', redact(message), fix);
  }
}

/** The `postgres:<major>` container did not start or become ready; it has been removed. */
export class DockerPostgresError extends LifeboatError {
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super('docker-postgres-failed', redact(message), fix, options);
  }
}

/** Neither local server binaries nor a container can provide the drill's target. */
export class NoEphemeralPostgresError extends LifeboatError {
  readonly major: number;

  constructor(message: string, fix: string, major: number) {
    super('no-ephemeral-postgres', message, fix);
    this.major = major;
  }
}
