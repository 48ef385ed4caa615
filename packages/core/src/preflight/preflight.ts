import type { RunContext } from '../context.js';
import { prepareEncryption, type EncryptionPlan } from '../crypto/index.js';
import { camelName } from '../options/define.js';
import { preflightOperation, type PreflightOptions } from '../options/preflight.js';
import { describeError, OptionError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { retentionPolicyIfAny } from '../retention/policy-options.js';
import { connectionForDatabase, describeConnection, resolveConnection, withConnection, type PostgresConnection } from '../engines/postgres/connection.js';
import { postgresDumpSettings } from '../engines/postgres/from-options.js';
import { PrivilegesMissingError, readPrivilegeFacts, hasEveryPrivilege } from '../engines/postgres/privileges.js';
import { readServerInfo, resolveDatabases, type ServerInfo } from '../engines/postgres/server-info.js';
import { StoreFolderMissingError } from '../storage/errors.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { resolvePostgresClient, type ResolvedClient } from '../toolchain/resolve.js';
import { prepareSigning, type BackupSigning } from '../pipeline/run-backup.js';
import { judgePreflight, renderPreflightTable, type PreflightCheck } from './verdict.js';

/** Everything a backup needs, checked: what the backup goes on with once the preflight passed. */
export interface PreparedBackup {
  readonly encryption: EncryptionPlan;
  readonly signing: BackupSigning | undefined;
  readonly store: Store;
  readonly connection: PostgresConnection;
  readonly server: ServerInfo;
  readonly client: ResolvedClient;
  readonly databases: readonly string[];
}

/** A fingerprint as reports show it: its last 8 characters only. */
export function shortFingerprint(fingerprint: string): string {
  return `…${fingerprint.slice(-8).toUpperCase()}`;
}

/** Names of the options given (defaults left out): names only, never values. */
export function settingsGiven(options: PreflightOptions): string[] {
  const values = options as unknown as Record<string, unknown>;
  return Object.entries(preflightOperation.options)
    .filter(([name, def]) => {
      const value = values[camelName(name)];
      if (value === undefined || value === '') return false;
      return def.default === undefined || JSON.stringify(def.parse(def.default)) !== JSON.stringify(value);
    })
    .map(([name]) => name);
}

/** Runs checks in order; collects a row each, or (for a backup) stops at the first failure with its own error. */
class Checks {
  readonly rows: PreflightCheck[] = [];
  constructor(private readonly failFast: boolean) {}

  async run<T>(name: string, check: () => Promise<{ value: T; detail: string; warn?: boolean }>): Promise<T | undefined> {
    try {
      const { value, detail, warn } = await check();
      this.rows.push({ name, status: warn ? 'warn' : 'pass', detail });
      return value;
    } catch (error) {
      if (this.failFast) throw error;
      this.rows.push({ name, status: 'fail', detail: describeError(error) });
      return undefined;
    }
  }

  skip(name: string, detail: string): void {
    this.rows.push({ name, status: 'skip', detail });
  }
}

function describeEncryption(plan: EncryptionPlan): string {
  if (plan.scheme === 'none') return '`encryption: none`: backups are stored as plaintext.';
  const keys = plan.recipients.map((r) => shortFingerprint(r.fingerprint));
  const to = [keys.length ? `recipient${keys.length === 1 ? '' : 's'} ${keys.join(', ')}` : '', plan.passphrase ? 'a passphrase' : '']
    .filter(Boolean)
    .join(' and ');
  return `OpenPGP to ${to} (usable keys; encryption runs in-process, no gpg needed).`;
}

/**
 * The checks a backup runs before reading data. `failFast` (a backup): the first failure
 * throws its own error, and everything checked is returned for the backup to use. Otherwise
 * (a preflight) every check that can run does, and the rows say what passed and failed.
 * Writes nothing but the store's probe object, which it removes; with `failFast` and
 * `create-store`, a missing store folder is created.
 */
export async function runPreflightChecks(
  options: PreflightOptions,
  context: RunContext,
  { failFast, store: given }: { failFast: boolean; store?: Store },
): Promise<{ rows: PreflightCheck[]; prepared?: PreparedBackup }> {
  const { reporter } = context;
  const checks = new Checks(failFast);

  const encryption = await checks.run('encryption', async () => {
    const plan = await prepareEncryption(options, reporter, { now: context.now() });
    return { value: plan, detail: describeEncryption(plan), warn: plan.scheme === 'none' };
  });
  const signing = await checks.run('signing', async () => {
    const plan = await prepareSigning(options, reporter);
    return plan
      ? { value: plan, detail: `Backups are signed with key ${shortFingerprint(plan.fingerprint ?? '')}.` }
      : { value: undefined, detail: 'No `signing-key`: backups are not signed, and drills refuse them unless `allow-unsigned` is set.', warn: true };
  });
  await checks.run('settings', async () => {
    // A malformed retention policy fails the run now, before anything is dumped.
    retentionPolicyIfAny(options);
    return { value: true, detail: `Given: ${settingsGiven(options).join(', ') || 'nothing but defaults'}.` };
  });

  const store = await checks.run('store', async () => {
    const opened = given ?? (await openStore(options, context));
    try {
      const { notes } = await opened.probe({ write: true, create: failFast && options.createStore });
      for (const note of notes) reporter.info(note);
      const detail = `${opened.location}: reachable; a probe object was written, read back and removed.`;
      return { value: opened, detail: [detail, ...notes].join(' '), warn: notes.length > 0 };
    } catch (error) {
      if (error instanceof StoreFolderMissingError && options.createStore) {
        return { value: opened, detail: `${opened.location} does not exist yet; the backup creates it (\`create-store: true\`).` };
      }
      throw error;
    }
  });

  const reached = await checks.run('source', async () => {
    const connection = resolveConnection(options.databaseUrl, context.env);
    const server = await readServerInfo(connection, context.env);
    return { value: { connection, server }, detail: `PostgreSQL ${server.version} at ${describeConnection(connection)}.` };
  });
  const client = reached
    ? await checks.run('pg_dump', async () => {
        const found = await resolvePostgresClient({ purpose: 'dump', serverMajor: reached.server.major, override: options.postgresClientVersion, context });
        return { value: found, detail: `pg_dump ${found.version} (${found.binDir}) for the PostgreSQL ${reached.server.major} server.` };
      })
    : (checks.skip('pg_dump', 'Needs the server version: the source could not be reached.'), undefined);
  const databases = reached
    ? await checks.run('databases', async () => {
        const names = await resolveDatabases(reached.connection, options.databases, context.env);
        if (options.name && names.length > 1) {
          throw new OptionError(
            `\`name\` (${options.name}) names one backup, but ${names.length} databases are to be backed up.`,
            'Leave `name` empty: each database is then backed up under its own name.',
          );
        }
        return { value: names, detail: `${names.join(', ')}.` };
      })
    : undefined;

  if (!reached || !databases) {
    checks.skip('privileges', 'Needs the source and its databases.');
  } else {
    const { filters } = postgresDumpSettings(options, { connection: reached.connection });
    for (const database of databases) {
      await checks.run(`privileges ${database}`, async () => {
        const facts = await withConnection(connectionForDatabase(reached.connection, database), (c) => readPrivilegeFacts(c, filters ?? {}));
        if (!hasEveryPrivilege(facts)) throw new PrivilegesMissingError(facts);
        return { value: true, detail: `Role ${facts.role} may read every table (${facts.scope.tables}) and sequence (${facts.scope.sequences}) in scope${facts.scope.largeObjects ? ' and the large objects' : ''}.` };
      });
    }
  }

  const prepared =
    encryption && store && reached && client && databases
      ? { encryption, signing, store, connection: reached.connection, server: reached.server, client, databases }
      : undefined;
  return { rows: checks.rows, prepared };
}

/**
 * The checks a backup runs first, failing before pg_dump starts (and before the database is
 * read, for a bad key or store) with the first problem's own error and fix.
 */
export async function prepareBackup(options: PreflightOptions, context: RunContext, store?: Store): Promise<PreparedBackup> {
  context.signal?.throwIfAborted();
  const { rows, prepared } = await runPreflightChecks(options, context, { failFast: true, store });
  context.reporter.info(`Preflight passed: ${rows.map((r) => r.name).join(', ')}.`);
  return prepared!;
}

/** `lifeboat preflight`: every check, a PASS/FAIL table, non-zero on any FAIL; reads no data and leaves nothing behind. */
export async function preflight(options: PreflightOptions, context: RunContext): Promise<OperationOutcome> {
  const { rows } = await runPreflightChecks(options, context, { failFast: false });
  const verdict = judgePreflight(rows);
  await context.reporter.summary(renderPreflightTable(rows, verdict));
  return {
    ok: verdict.ok,
    failure: verdict.ok ? undefined : `Preflight failed: ${verdict.failed.join(', ')}.`,
    outputs: { passed: verdict.ok, failed: verdict.failed.join(',') },
    data: { checks: rows, ...verdict },
  };
}
