import { describe, expect, it } from 'vitest';
import { describeError } from '../../report/errors.js';
import { redact } from '../../report/secrets.js';
import { connectionEnv, connectionUrl, dbnameConninfo, describeConnection, resolveConnection } from './connection.js';
import { DatabaseUrlError } from './errors.js';

describe('resolveConnection', () => {
  it('reads every part of a URL, decoding escapes, and registers the password as a secret', () => {
    const c = resolveConnection('postgresql://app%40corp:p%2Fss%40w0rd!@db.example.com:6543/my%20db?sslmode=require&application_name=nightly', {});
    expect(c).toMatchObject({
      host: 'db.example.com',
      port: 6543,
      user: 'app@corp',
      password: 'p/ss@w0rd!',
      database: 'my db',
      sslmode: 'require',
      applicationName: 'nightly',
    });
    expect(redact('the password is p/ss@w0rd! here')).toBe('the password is *** here');
    expect(describeConnection(c)).toBe('app@corp@db.example.com:6543/my db');
  });

  it('falls back to the PG* variables for what the URL leaves out, then to defaults', () => {
    const env = { PGHOST: 'envhost', PGPORT: '5433', PGUSER: 'envuser', PGPASSWORD: 'env-secret-pw', PGDATABASE: 'envdb', PGSSLMODE: 'disable' };
    expect(resolveConnection(undefined, env)).toMatchObject({ host: 'envhost', port: 5433, user: 'envuser', password: 'env-secret-pw', database: 'envdb', sslmode: 'disable' });
    expect(resolveConnection('postgres://urluser@urlhost/urldb', env)).toMatchObject({ host: 'urlhost', port: 5433, user: 'urluser', password: 'env-secret-pw', database: 'urldb' });
    const defaults = resolveConnection('', { PGUSER: 'only' });
    expect(defaults).toMatchObject({ host: 'localhost', port: 5432, user: 'only', database: 'only', sslmode: 'prefer' });
    expect(defaults.password).toBeUndefined();
  });

  it('accepts IPv6 hosts and Unix-socket folders', () => {
    expect(resolveConnection('postgres://u@[::1]:5432/d', {}).host).toBe('::1');
    expect(resolveConnection('postgres:///d?host=/var/run/postgresql', {}).host).toBe('/var/run/postgresql');
  });

  it.each([
    ['mysql://u:topsecret1@h/d', /scheme 'mysql:'/],
    ['db.example.com:5432/app', /scheme 'db.example.com:'|does not start/],
    ['postgres://u:top/secret2@h:5432/d', /malformed/],
    ['postgres://u:topsecret3@h:99999/d', /malformed|port/],
    ['postgres://u:topsecret4@h1:5432,h2:5432/d', /Several hosts/],
    ['postgres://u:topsecret5@h/d?schema=public', /parameter 'schema'/],
    ['postgres://u:top%ZZsecret6@h/d', /%-escape/],
    ['postgres://u:topsecret7@h/d?sslmode=sometimes', /sslmode 'sometimes'/],
  ])('refuses %s with a DatabaseUrlError that keeps the password out', (url, pattern) => {
    let caught: unknown;
    try {
      resolveConnection(url, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseUrlError);
    const text = describeError(caught);
    expect(text).toMatch(pattern);
    expect((caught as DatabaseUrlError).fix).toBeTruthy();
    expect(text).not.toMatch(/secret\d/);
    expect(JSON.stringify(caught)).not.toMatch(/secret\d/);
  });
});

describe('connectionEnv', () => {
  it('passes the connection to child programs through PG* variables, dropping inherited ones', () => {
    const c = resolveConnection('postgres://u:pw-in-env-1@h:1234/d?sslmode=disable', {});
    const env = connectionEnv(c, { PATH: '/bin', PGHOSTADDR: '10.0.0.9', PGSERVICE: 'other', PGPASSFILE: '/p', PGDATABASE: 'wrong' });
    expect(env).toMatchObject({ PATH: '/bin', PGHOST: 'h', PGPORT: '1234', PGUSER: 'u', PGPASSWORD: 'pw-in-env-1', PGDATABASE: 'd', PGSSLMODE: 'disable', PGPASSFILE: '/p' });
    expect(env.PGHOSTADDR).toBeUndefined();
    expect(env.PGSERVICE).toBeUndefined();
  });

  it('gives the client none of the runner\'s secrets', () => {
    const c = resolveConnection('postgres://u@h/d', {});
    const env = connectionEnv(c, { PATH: '/bin', HOME: '/home/r', LIFEBOAT_IDENTITY: 'key', GITHUB_TOKEN: 'ghs', AWS_SECRET_ACCESS_KEY: 'aws' });
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LC_MESSAGES', 'PATH', 'PGAPPNAME', 'PGCONNECT_TIMEOUT', 'PGDATABASE', 'PGHOST', 'PGPORT', 'PGSSLMODE', 'PGUSER']);
  });

  it('quotes database names for a libpq connection string', () => {
    expect(dbnameConninfo("o'brien\\db")).toBe("dbname='o\\'brien\\\\db'");
  });
});

describe('connectionUrl', () => {
  it('gives the connection back as a URL that resolves to the same connection, and hides it as a secret', () => {
    const given = resolveConnection('postgresql://app%40corp:p%2Fss%40w0rd!@db.example.com:6543/my%20db?sslmode=require', {});
    const url = connectionUrl(given);
    expect(resolveConnection(url, {})).toMatchObject({ host: 'db.example.com', port: 6543, user: 'app@corp', password: 'p/ss@w0rd!', database: 'my db', sslmode: 'require' });
    expect(redact(`reached ${url}`)).not.toMatch(/p%2Fss|w0rd/);
    const socket = resolveConnection('postgres://lifeboat@localhost:5433/shop?host=/run/pg', {});
    expect(resolveConnection(connectionUrl(socket), {})).toMatchObject({ host: '/run/pg', port: 5433, database: 'shop' });
  });
});
