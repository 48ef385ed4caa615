/** A throwaway PostgreSQL server a drill restores into when the operator names no target. */
export interface EphemeralPostgres {
  /** `local`: a cluster of this machine's server binaries; `docker`: a `postgres:<major>` container. */
  readonly kind: 'local' | 'docker';
  readonly host: string;
  readonly port: number;
  /** A superuser. */
  readonly user: string;
  /** Random, registered as a secret unless the caller asked otherwise. */
  readonly password: string;
  readonly major: number;
  /** `server_version`, e.g. `16.4 (Debian 16.4-1.pgdg120+2)`. */
  readonly version: string;
  /** Why this server was chosen when it is not the exact major asked for (a newer one). */
  readonly note?: string;
  /** `postgres://user:password@host:port/database`, every part URL-encoded. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Stops the server and removes everything it made. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A local cluster: also names its process, binaries and folder (tests and diagnostics use them). */
export interface LocalPostgres extends EphemeralPostgres {
  readonly kind: 'local';
  /** Process id of the postmaster. */
  readonly pid: number;
  /** Folder of the server binaries in use (a temp copy when the originals were unreachable). */
  readonly binDir: string;
  /** Temp folder holding the data directory, the log and any copied binaries; removed by `stop`. */
  readonly rootDir: string;
}

/** A container started by Lifeboat. */
export interface DockerPostgres extends EphemeralPostgres {
  readonly kind: 'docker';
  /** The container's name (`lifeboat-pg-…`), also its handle for `docker rm -f`. */
  readonly container: string;
  readonly image: string;
}

/** The URL of a server, with user, password and database URL-encoded. */
export function serverUrl(server: { host: string; port: number; user: string; password: string }, database = 'postgres'): string {
  const auth = `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}`;
  return `postgres://${auth}@${server.host}:${server.port}/${encodeURIComponent(database)}`;
}
