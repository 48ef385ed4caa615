import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';
import { describeRedis, parseRedisUrl, redisUrlOf } from './connection.js';
import { RedisUrlError } from './errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('parseRedisUrl', () => {
  it.each([
    ['redis://localhost', { host: 'localhost', port: 6379, tls: false, username: undefined, password: undefined, database: undefined }],
    ['redis://:p%40ss%2Fword@cache:6380/2', { host: 'cache', port: 6380, tls: false, username: undefined, password: 'p@ss/word', database: 2 }],
    ['rediss://backup:secret@10.0.0.5:6390', { host: '10.0.0.5', port: 6390, tls: true, username: 'backup', password: 'secret' }],
    ['redis://[::1]:7000', { host: '::1', port: 7000 }],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it('registers the password as a secret before anything can print it', () => {
    parseRedisUrl('redis://:a-secret-for-redaction@host');
    expect(redact('said a-secret-for-redaction')).toBe('said ***');
  });

  it.each([
    ['not a url', /is not a URL/],
    ['postgres://host/db', /scheme postgres:\/\/.*redis:\/\/ and rediss:\/\//],
    ['redis://host/cache', /path \/cache.*database number/],
    ['redis://:%zz@host', /not valid percent-encoding/],
  ])('refuses %s', (url, message) => {
    const error = (() => {
      try {
        parseRedisUrl(url);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RedisUrlError);
    expect(describeError(error)).toMatch(message);
  });

  it('takes TLS settings as PEM text or a file, only with rediss://', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-pem-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), PEM);
      expect(parseRedisUrl('rediss://h', { redisTlsCa: join(dir, 'ca.pem') }).tlsSettings.ca).toContain('BEGIN CERTIFICATE');
      expect(parseRedisUrl('rediss://h', { redisTlsCa: PEM, redisTlsServername: 'cache.internal' }).tlsSettings).toMatchObject({ ca: `${PEM}\n`, servername: 'cache.internal' });
      expect(() => parseRedisUrl('redis://h', { redisTlsCa: PEM })).toThrow(/redis:\/\/, which does not use TLS/);
      expect(() => parseRedisUrl('rediss://h', { redisTlsCa: join(dir, 'missing.pem') })).toThrow(/neither PEM text nor the path of an existing file/);
      expect(() => parseRedisUrl('rediss://h', { redisTlsCert: PEM })).toThrow(/go together/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes a connection without its password, and rebuilds a URL with it', () => {
    const connection = parseRedisUrl('rediss://u:pw%2F1@h:1');
    expect(describeRedis(connection)).toBe('rediss://u@h:1');
    expect(redisUrlOf(connection)).toBe('rediss://u:pw%2F1@h:1');
    expect(parseRedisUrl(redisUrlOf(connection))).toMatchObject({ username: 'u', password: 'pw/1' });
  });
});
