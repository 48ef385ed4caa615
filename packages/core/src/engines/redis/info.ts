import type { CommandClient } from './client.js';
import { describeRedis } from './connection.js';
import { RedisLoadingError } from './errors.js';

/** Keys and keys with an expiry in one database, as INFO keyspace reports them. */
export interface KeyspaceEntry {
  readonly db: number;
  readonly keys: number;
  readonly expires: number;
}

/** What Lifeboat needs to know about a server before backing it up or restoring into it. */
export interface ServerFacts {
  /** `redis_version`, e.g. `7.0.15`. */
  readonly version: string;
  readonly major: number;
  /** `standalone`, `cluster` or `sentinel`. */
  readonly mode: string;
  /** `master` or `slave`. */
  readonly role: string;
  readonly loading: boolean;
  readonly keyspace: readonly KeyspaceEntry[];
}

/** `INFO` text as field → value (sections merged; `# Section` lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** The `dbN:keys=..,expires=..` lines of INFO keyspace, by database number. */
export function parseKeyspace(fields: Record<string, string>): KeyspaceEntry[] {
  const out: KeyspaceEntry[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const db = /^db(\d+)$/.exec(name);
    if (!db) continue;
    const keys = /(?:^|,)keys=(\d+)/.exec(value);
    const expires = /(?:^|,)expires=(\d+)/.exec(value);
    out.push({ db: Number(db[1]), keys: Number(keys?.[1] ?? 0), expires: Number(expires?.[1] ?? 0) });
  }
  return out.sort((a, b) => a.db - b.db);
}

/** The major version of `7.0.15` (7). */
export function redisMajor(version: string): number {
  const major = Number(/^(\d+)/.exec(version)?.[1]);
  return Number.isFinite(major) ? major : 0;
}

/** Reads version, role, loading state and keyspace (one INFO call). */
export async function readServerFacts(client: CommandClient): Promise<ServerFacts> {
  const fields = parseInfo(String(await client.send(['INFO'])));
  const version = fields.redis_version ?? fields.valkey_version ?? 'unknown';
  return {
    version,
    major: redisMajor(version),
    mode: fields.redis_mode ?? 'standalone',
    role: fields.role ?? 'master',
    loading: fields.loading === '1',
    keyspace: parseKeyspace(fields),
  };
}

/** Fails when the server is still loading its dataset (its answers would not be the data). */
export function assertLoaded(facts: ServerFacts, client: CommandClient): void {
  if (!facts.loading) return;
  throw new RedisLoadingError(
    `${describeRedis(client.connection)} is still loading its dataset into memory (INFO persistence: loading:1).`,
    'Retry once the server has finished loading (loading:0); schedule the backup away from restarts',
  );
}
