import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { registerSecret } from '../../../report/secrets.js';
import { withConnection, type PostgresConnection } from '../connection.js';
import { quoteIdent } from '../tables.js';

/** A login role that lives for one restore or one set of checks. */
export interface TemporaryRole {
  readonly name: string;
  /** The admin connection's server and database, as this role. */
  readonly connection: PostgresConnection;
}

/** Whether the connection's user is a superuser. */
export async function isSuperuser(connection: PostgresConnection): Promise<boolean> {
  return withConnection(connection, async (client) => {
    const { rows } = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    return rows[0]?.rolsuper === true;
  });
}

/**
 * Creates a login role with no privileges beyond its attributes (never SUPERUSER, CREATEDB,
 * CREATEROLE or REPLICATION) and a random password, which is registered as a secret and sent
 * to the server only as a SCRAM verifier, so it never appears in a server log.
 */
export async function createTemporaryRole(admin: PostgresConnection, prefix: string, attributes: readonly string[] = []): Promise<TemporaryRole> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  registerSecret(password);
  await withConnection(admin, (client) =>
    client.query(
      `CREATE ROLE ${quoteIdent(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION ${attributes.join(' ')} PASSWORD '${scramVerifier(password)}'`,
    ),
  );
  return { name, connection: { ...admin, user: name, password } };
}

/**
 * Drops a temporary role: what it owns in the connection's database goes to `reassignTo`
 * (or is dropped), its grants are revoked, then the role goes.
 */
export async function dropTemporaryRole(admin: PostgresConnection, role: TemporaryRole, reassignTo?: string): Promise<void> {
  await withConnection(admin, async (client) => {
    if (reassignTo) await client.query(`REASSIGN OWNED BY ${quoteIdent(role.name)} TO ${quoteIdent(reassignTo)}`);
    await client.query(`DROP OWNED BY ${quoteIdent(role.name)}`);
    await client.query(`DROP ROLE ${quoteIdent(role.name)}`);
  });
}

/** A SCRAM-SHA-256 password verifier (RFC 5802/7677), as PostgreSQL stores it. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
