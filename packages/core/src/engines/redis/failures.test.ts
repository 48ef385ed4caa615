import { describe, expect, it } from 'vitest';
import { describeError } from '../../report/errors.js';
import { parseRedisUrl } from './connection.js';
import { RedisAuthError, RedisCommandError, RedisLoadingError, RedisNoAuthError, RedisPermissionError, RedisReplicationRefusedError, RedisTlsError, RedisUnreachableError } from './errors.js';
import { connectionFailure, replyFailure } from './failures.js';

const connection = parseRedisUrl('redis://backup:pw-for-failures@cache:6379');

describe('Redis error replies, as the errors an operator acts on', () => {
  it.each([
    ['WRONGPASS invalid username-password pair or user is disabled.', 'auth', RedisAuthError, /user 'backup'.*Check the user name and password/],
    ['ERR AUTH <password> called without any password configured for the default user.', 'auth', RedisAuthError, /has no password set/],
    ['NOAUTH Authentication required.', 'command', RedisNoAuthError, /Put the password in the URL/],
    ['LOADING Redis is loading the dataset in memory', 'replication', RedisLoadingError, /finished loading/],
    ["NOPERM User backup has no permissions to run the 'replconf' command", 'replication', RedisReplicationRefusedError, /redis-mode: keys/],
    ["ERR unknown command 'SYNC', with args beginning with: ", 'replication', RedisReplicationRefusedError, /managed services often block SYNC.*redis-mode: keys/],
    ["NOMASTERLINK Can't SYNC while not connected with my master", 'replication', RedisReplicationRefusedError, /lost its primary.*Back up from the primary/],
    ["NOPERM User backup has no permissions to run the 'dump' command", 'command', RedisPermissionError, /\+dump/],
    ['ERR something else', 'command', RedisCommandError, /failed on redis:\/\/backup@cache:6379: ERR something else/],
  ] as const)('%s', (reply, context, type, message) => {
    const error = replyFailure(reply, connection, context, context === 'command' ? 'DUMP' : undefined);
    expect(error).toBeInstanceOf(type);
    expect(describeError(error)).toMatch(message);
    expect(describeError(error)).not.toContain('pw-for-failures');
  });

  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, RedisUnreachableError, /connection refused/],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND cache' }, RedisUnreachableError, /not known/],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, RedisTlsError, /redis-tls-ca/],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, RedisTlsError, /redis-tls-servername/],
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, RedisTlsError, /Renew/],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, RedisTlsError, /does not speak TLS/],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, RedisUnreachableError, /use rediss:\/\//],
  ])('%o', (error, type, message) => {
    const classified = connectionFailure(Object.assign(new Error(error.message), { code: error.code }), connection);
    expect(classified).toBeInstanceOf(type);
    expect(describeError(classified)).toMatch(message);
  });
});
