/** PostgreSQL version numbers as the client tools and servers report them. */

/** A client or server version: the full text (`17.2`) and its major (`17`; `9.6` before 10). */
export interface PgVersion {
  readonly version: string;
  readonly major: number;
}

/**
 * Parses `pg_dump --version` (or `pg_restore`/`psql`) output, e.g.
 * `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` or `pg_dump (PostgreSQL) 18beta1`.
 * Undefined when the text is not a PostgreSQL tool's version line.
 */
export function parseClientVersion(text: string): PgVersion | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?([a-z]+\d*)?/i.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  const second = match[2] === undefined ? undefined : Number(match[2]);
  const version = [match[1], match[2], match[3]].filter((part) => part !== undefined).join('.') + (match[4] ?? '');
  // Before 10, the major was the first two numbers (9.6); from 10 on it is the first.
  const major = first < 10 && second !== undefined ? Number(`${first}.${second}`) : first;
  return { version, major };
}

/** The major of a server from `server_version_num` (`170002` → 17, `90624` → 9.6). */
export function majorFromVersionNum(versionNum: number): number {
  if (!Number.isInteger(versionNum) || versionNum <= 0) {
    throw new RangeError(`Not a PostgreSQL server_version_num: ${versionNum}`);
  }
  if (versionNum >= 100_000) return Math.floor(versionNum / 10_000);
  return Number(`${Math.floor(versionNum / 10_000)}.${Math.floor(versionNum / 100) % 100}`);
}

/** First major whose pg_dump and pg_restore write/send `SET transaction_timeout`. */
export const TRANSACTION_TIMEOUT_MAJOR = 17;
