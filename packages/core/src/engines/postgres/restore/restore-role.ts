import { OptionError } from '../../../report/errors.js';
import { quoteIdent } from '../tables.js';
import { withConnection, type PostgresConnection } from '../connection.js';
import { createTemporaryRole, dropTemporaryRole, isSuperuser, type TemporaryRole } from './temporary-role.js';

/** Who pg_restore connects as, and how to undo the arrangement. */
export interface RestoreIdentity {
  /** The target database, as the role that restores. */
  readonly connection: PostgresConnection;
  /** The temporary role, when Lifeboat made one; undefined when it restores as the target's user. */
  readonly role?: TemporaryRole;
  /** Who owned the target database before the temporary role took it over. */
  readonly previousOwner?: string;
  /** For notes and evidence: `as a temporary non-superuser role owning the database`, ... */
  readonly description: string;
}

/**
 * Decides who restores: a superuser target user is traded for a temporary login role that
 * owns the target database and nothing else, so that code inside a backup (a function called
 * by a constraint, `COPY ... TO PROGRAM`, an untrusted language) cannot act as a superuser.
 * `asSuperuser` keeps the superuser; a target user that is no superuser restores as itself.
 */
export async function prepareRestoreIdentity(
  target: PostgresConnection,
  options: { readonly asSuperuser: boolean; readonly owners: boolean },
): Promise<RestoreIdentity> {
  if (!(await isSuperuser(target))) return { connection: target, description: `as ${target.user}, who is no superuser` };
  if (options.asSuperuser) return { connection: target, description: `as the superuser ${target.user}, because restore-as-superuser is set` };
  if (options.owners) {
    throw new OptionError(
      '`restore-owners` gives objects to the source\'s roles, which only a superuser may do, but restores run as a non-superuser role by default.',
      'Set `restore-as-superuser: true` as well (for backups you trust), or leave `restore-owners` off.',
    );
  }
  const previousOwner = await databaseOwner(target);
  const role = await createTemporaryRole(target, 'lifeboat_restore');
  await withConnection(target, (client) => client.query(`ALTER DATABASE ${quoteIdent(target.database)} OWNER TO ${quoteIdent(role.name)}`));
  return { connection: role.connection, role, previousOwner, description: `as ${role.name}, a temporary role that is no superuser and owns only the target database` };
}

/**
 * Ends a restore identity for good: the database and everything restored go to the database's
 * previous owner, and the temporary role is dropped. (A drill never does this: its database is
 * thrown away, and restored code must not end up owned by a superuser while checks run.)
 */
export async function releaseRestoreIdentity(target: PostgresConnection, identity: RestoreIdentity): Promise<void> {
  if (identity.role) await dropTemporaryRole(target, identity.role, identity.previousOwner ?? target.user);
}

/** The current owner of the connection's database. */
export async function databaseOwner(connection: PostgresConnection): Promise<string> {
  return withConnection(connection, async (client) => {
    const { rows } = await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()');
    return rows[0]!.owner;
  });
}
