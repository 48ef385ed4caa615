import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { registerSecret } from '../../report/secrets.js';
import { RedisUrlError } from './errors.js';

/** TLS settings of a connection; absent fields use Node's defaults (the system CAs, the URL's host). */
export interface RedisTlsSettings {
  /** PEM of the CA(s) that signed the server's certificate. */
  readonly ca?: string;
  /** PEM client certificate and key, for servers with `tls-auth-clients yes`. */
  readonly cert?: string;
  readonly key?: string;
  /** Host name the server's certificate must name; default the URL's host. */
  readonly servername?: string;
}

/** Where a Redis server is and how to log in; the password stays out of every description. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  /** `rediss://`: TLS. */
  readonly tls: boolean;
  readonly tlsSettings: RedisTlsSettings;
  /** ACL user; absent: the `default` user (AUTH with the password alone). */
  readonly username?: string;
  readonly password?: string;
  /** The database in the URL path (`/2`); the backup itself always covers every database. */
  readonly database?: number;
}

/** The TLS options as given by the operator: PEM text or a path to a PEM file, each. */
export interface RedisTlsOptions {
  readonly redisTlsCa?: string;
  readonly redisTlsCert?: string;
  readonly redisTlsKey?: string;
  readonly redisTlsServername?: string;
}

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` (`rediss://` for TLS) and the TLS
 * options. The password is registered as a secret before anything can print it.
 */
export function parseRedisUrl(url: string, tls: RedisTlsOptions = {}, optionName = 'redis-url', cwd = process.cwd()): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new RedisUrlError(`\`${optionName}\` is not a URL.`);
  }
  if (parsed.password) registerSecret(decode(parsed.password, optionName));
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'redis' && scheme !== 'rediss') {
    throw new RedisUrlError(`\`${optionName}\` has the scheme ${scheme}://; Lifeboat speaks redis:// and rediss:// (TLS).`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new RedisUrlError(`\`${optionName}\` names no host.`);
  const port = parsed.port ? Number(parsed.port) : 6379;
  const path = parsed.pathname.replace(/^\//, '');
  let database: number | undefined;
  if (path !== '') {
    if (!/^\d+$/.test(path)) throw new RedisUrlError(`\`${optionName}\` has the path /${path}; a Redis URL's path is a database number such as /0.`);
    database = Number(path);
  }
  const username = parsed.username ? decode(parsed.username, optionName) : undefined;
  const password = parsed.password ? decode(parsed.password, optionName) : undefined;
  const isTls = scheme === 'rediss';
  const given = [tls.redisTlsCa, tls.redisTlsCert, tls.redisTlsKey].some((v) => v !== undefined && v.trim() !== '');
  if (given && !isTls) {
    throw new RedisUrlError(
      `TLS settings (\`redis-tls-ca\`, \`redis-tls-cert\`, \`redis-tls-key\`) are given, but \`${optionName}\` starts with redis://, which does not use TLS.`,
      'Write the URL as rediss://host:port to connect with TLS, or leave the TLS settings empty.',
    );
  }
  if (Boolean(tls.redisTlsCert?.trim()) !== Boolean(tls.redisTlsKey?.trim())) {
    throw new RedisUrlError('`redis-tls-cert` and `redis-tls-key` go together: a client certificate needs its key.', 'Set both, or neither.');
  }
  const key = pem(tls.redisTlsKey, 'redis-tls-key', cwd);
  if (key) registerSecret(key);
  return {
    host,
    port,
    tls: isTls,
    tlsSettings: {
      ca: pem(tls.redisTlsCa, 'redis-tls-ca', cwd),
      cert: pem(tls.redisTlsCert, 'redis-tls-cert', cwd),
      key,
      servername: tls.redisTlsServername?.trim() || undefined,
    },
    username,
    password,
    database,
  };
}

/** `rediss://user@host:port`: for logs and evidence, never with the password. */
export function describeRedis(connection: RedisConnection): string {
  const user = connection.username ? `${connection.username}@` : '';
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `${connection.tls ? 'rediss' : 'redis'}://${user}${host}:${connection.port}`;
}

/** A URL for this connection with the password in it (for child environments such as REDIS_URL). */
export function redisUrlOf(connection: RedisConnection): string {
  const auth =
    connection.password !== undefined
      ? `${encodeURIComponent(connection.username ?? '')}:${encodeURIComponent(connection.password)}@`
      : connection.username
        ? `${encodeURIComponent(connection.username)}@`
        : '';
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `${connection.tls ? 'rediss' : 'redis'}://${auth}${host}:${connection.port}`;
}

function decode(text: string, optionName: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(`\`${optionName}\` has a user name or password that is not valid percent-encoding.`);
  }
}

/** PEM text as given, or read from the file it names. */
function pem(value: string | undefined, name: string, cwd: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.includes('-----BEGIN')) return `${text}\n`;
  const path = isAbsolute(text) ? text : resolve(cwd, text);
  if (!existsSync(path)) {
    throw new RedisUrlError(`\`${name}\` is neither PEM text nor the path of an existing file (${text}).`, `Give \`${name}\` the PEM text (from a secret) or the path of a PEM file.`);
  }
  const content = readFileSync(path, 'utf8');
  if (!content.includes('-----BEGIN')) throw new RedisUrlError(`\`${name}\` names ${text}, which holds no PEM block.`, `Point \`${name}\` at a PEM file (-----BEGIN ...).`);
  return content;
}
