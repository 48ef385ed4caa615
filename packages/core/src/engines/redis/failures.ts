import { describeRedis, type RedisConnection } from './connection.js';
import {
  RedisAuthError,
  RedisCommandError,
  RedisError,
  RedisLoadingError,
  RedisNoAuthError,
  RedisPermissionError,
  RedisReplicationRefusedError,
  RedisTlsError,
  RedisUnreachableError,
} from './errors.js';

/** Where an error reply came from: logging in, asking for the snapshot, or an ordinary command. */
export type ReplyContext = 'auth' | 'replication' | 'command';

const KEYS_MODE_FIX =
  'Give the user replication rights (ACL: `+sync +psync +replconf`, or `+@admin`), or set `redis-mode: keys` to back up key by key with SCAN and DUMP (not a point-in-time snapshot)';

/** Turns an error reply (`-WRONGPASS ...`) into the error an operator can act on. */
export function replyFailure(message: string, connection: RedisConnection, context: ReplyContext, command?: string): RedisError {
  const where = describeRedis(connection);
  const text = message.replace(/^-/, '').trim();
  const code = /^[A-Z]+/.exec(text)?.[0] ?? '';
  const user = connection.username ?? 'default';
  if (code === 'WRONGPASS' || (code === 'ERR' && /invalid (username-)?password/i.test(text))) {
    return new RedisAuthError(
      `${where} refused the login of user '${user}': ${text}`,
      'Check the user name and password in the URL (percent-encode special characters), and that the ACL user is enabled (`on`)',
    );
  }
  if (code === 'ERR' && /called without any password configured/i.test(text)) {
    return new RedisAuthError(`${where} has no password set, but the URL gives one: ${text}`, 'Remove the password from the URL, or set `requirepass` (or an ACL user) on the server');
  }
  if (code === 'NOAUTH') {
    return new RedisNoAuthError(`${where} requires a password and none was given: ${text}`, 'Put the password in the URL: redis://:password@host:port, or redis://user:password@host:port for an ACL user');
  }
  if (code === 'LOADING') {
    return new RedisLoadingError(`${where} is still loading its dataset into memory: ${text}`, 'Retry once the server has finished loading (INFO persistence shows loading:0); schedule the backup away from restarts');
  }
  if (context === 'replication') {
    if (code === 'NOPERM') return new RedisReplicationRefusedError(`${where} does not let user '${user}' replicate: ${text}`, KEYS_MODE_FIX);
    if (/unknown command|unknown subcommand|command not allowed|not permitted|disabled/i.test(text)) {
      return new RedisReplicationRefusedError(`${where} refuses to send its snapshot over replication (managed services often block SYNC): ${text}`, KEYS_MODE_FIX);
    }
    if (code === 'NOMASTERLINK' || code === 'MASTERDOWN') {
      return new RedisReplicationRefusedError(
        `${where} is a replica that has lost its primary and will not send a snapshot: ${text}`,
        'Back up from the primary, or from a replica that is connected to it',
      );
    }
    return new RedisReplicationRefusedError(`${where} refused the replication request: ${text}`, KEYS_MODE_FIX);
  }
  if (code === 'NOPERM') {
    return new RedisPermissionError(
      `User '${user}' may not run ${command ?? 'a command Lifeboat needs'} on ${where}: ${text}`,
      context === 'command' && command && /^(SCAN|DUMP|PTTL|PEXPIRETIME|INFO|SELECT)/i.test(command)
        ? 'Keys mode needs `+scan +dump +pttl +pexpiretime +info +select +ping` and read access to every key (`~*`); grant them to the ACL user'
        : 'Grant the ACL user the command named, or use a user that has it',
    );
  }
  return new RedisCommandError(`${command ?? 'A command'} failed on ${where}: ${text}`);
}

/** TLS error codes Node reports, and what each means for the operator. */
const TLS_FAILURES: Readonly<Record<string, { what: string; fix: string }>> = {
  SELF_SIGNED_CERT_IN_CHAIN: { what: 'its certificate chain ends in a CA this runner does not trust', fix: 'Give the CA that signed the server certificate as `redis-tls-ca` (PEM text or file)' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { what: 'it presents a self-signed certificate', fix: 'Give that certificate (or its CA) as `redis-tls-ca`' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { what: 'its certificate is signed by a CA this runner does not know', fix: 'Give the CA that signed the server certificate as `redis-tls-ca`' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { what: 'its certificate is signed by a CA this runner does not know', fix: 'Give the CA that signed the server certificate as `redis-tls-ca`' },
  UNABLE_TO_GET_ISSUER_CERT: { what: 'its certificate chain is incomplete', fix: 'Give the issuing CA as `redis-tls-ca`' },
  CERT_HAS_EXPIRED: { what: 'its certificate has expired', fix: 'Renew the server certificate' },
  CERT_NOT_YET_VALID: { what: 'its certificate is not valid yet (check the clocks)', fix: 'Check the server certificate dates and the runner clock' },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    what: 'its certificate does not name the host in the URL',
    fix: 'Connect with the host name the certificate names, or set `redis-tls-servername` to the name the certificate carries',
  },
};

/** Turns a socket-level failure (refused, DNS, timeout, TLS) into the error an operator can act on. */
export function connectionFailure(error: unknown, connection: RedisConnection): RedisError {
  if (error instanceof RedisError) return error;
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const where = describeRedis(connection);
  const code = err?.code ?? '';
  const tls = TLS_FAILURES[code];
  if (tls) return new RedisTlsError(`TLS to ${where} failed: ${tls.what} (${err.message}).`, tls.fix, { cause: error });
  if (/^ERR_SSL_|^ERR_TLS_/.test(code) || code === 'EPROTO' || /wrong version number|packet length too long|ssl3_get_record|tlsv1 alert/i.test(err?.message ?? '')) {
    return new RedisTlsError(
      `TLS to ${where} failed: ${err.message}.`,
      /wrong version number|packet length/i.test(err?.message ?? '')
        ? 'The port does not speak TLS: use redis:// for a plain port, or the server\'s tls-port with rediss://'
        : /alert (certificate required|bad certificate|unknown ca|handshake failure)/i.test(err?.message ?? '')
          ? 'The server wants a client certificate it trusts: set `redis-tls-cert` and `redis-tls-key`'
          : 'Check the server\'s TLS settings and `redis-tls-ca`',
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED') return new RedisUnreachableError(`Nothing accepts connections at ${where} (connection refused).`, 'Check the host and port, and that the server is running and reachable from the runner', { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RedisUnreachableError(`The host of ${where} is not known (${code}).`, 'Check the host name in the URL, and the runner\'s DNS', { cause: error });
  if (code === 'connect-timeout' && connection.tls) {
    return new RedisTlsError(
      `TLS to ${where} did not complete in time: the server did not answer the TLS handshake.`,
      'The port may not speak TLS: use redis:// for a plain port, or the server\'s tls-port with rediss://; otherwise check the firewall',
      { cause: error },
    );
  }
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'connect-timeout') {
    return new RedisUnreachableError(`${where} did not answer in time (${code}).`, 'Check the host, port and firewall between the runner and the server', { cause: error });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'closed') {
    return new RedisUnreachableError(
      `${where} closed the connection before answering.`,
      connection.tls ? 'Check that the port speaks TLS, and the server log' : 'If the port speaks TLS, use rediss://; otherwise check the server log (maxclients, protected-mode)',
      { cause: error },
    );
  }
  return new RedisUnreachableError(`Could not talk to ${where}: ${err?.message ?? String(error)}.`, undefined, { cause: error });
}
