import type { RunContext } from '../context.js';
import { prepareEncryption, type EncryptionPlan } from '../crypto/index.js';
import { camelName } from '../options/define.js';
import { preflightOperation, type PreflightOptions } from '../options/preflight.js';
import type { OperationOutcome } from '../report/outcome.js';
import { retentionPolicyIfAny } from '../retention/policy-options.js';
import { StoreFolderMissingError } from '../storage/errors.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { prepareSigning, type BackupSigning } from '../pipeline/run-backup.js';
import { backupEngine } from '../engines/registry.js';
import type { BackupOptions } from '../options/backup.js';
import { Checks } from './checks.js';
import { judgePreflight, renderPreflightTable, type PreflightCheck } from './verdict.js';

/** Everything a backup needs, checked: what the backup goes on with once the preflight passed. */
export interface PreparedBackup {
  readonly encryption: EncryptionPlan;
  readonly signing: BackupSigning | undefined;
  readonly store: Store;
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

function describeEncryption(plan: EncryptionPlan): string {
  if (plan.scheme === 'none') return '`encryption: none`: backups are stored as plaintext.';
  const keys = plan.recipients.map((r) => shortFingerprint(r.fingerprint));
  const to = [keys.length ? `recipient${keys.length === 1 ? '' : 's'} ${keys.join(', ')}` : '', plan.passphrase ? 'a passphrase' : '']
    .filter(Boolean)
    .join(' and ');
  return `OpenPGP to ${to} (usable keys; encryption runs in-process, no gpg needed).`;
}

/** What the shared checks found: the plans a backup goes on with, when they passed. */
interface SharedChecked {
  readonly encryption?: EncryptionPlan;
  readonly signing?: BackupSigning;
  readonly store?: Store;
}

/**
 * The checks of what every backup of a run shares: keys, signing, the settings and the store
 * (a probe object written, read back and removed). A stack runs them once for all members.
 */
export async function runSharedChecks(
  options: PreflightOptions,
  context: RunContext,
  checks: Checks,
  { failFast, store: given }: { failFast: boolean; store?: Store },
): Promise<SharedChecked> {
  const { reporter } = context;
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
  return { encryption, signing, store };
}

/**
 * The checks of one source, reading no data: which engine the options select (`engine`),
 * then that engine's own rows (`source`, its tools and permissions). An engine without
 * preflight checks gets a `source` warning saying so, never a silent pass.
 */
export async function runSourceChecks(options: PreflightOptions, context: RunContext, checks: Checks, failFast: boolean): Promise<boolean> {
  const backupOptions: BackupOptions = { ...options, stack: undefined, preflight: !failFast };
  const engine = await checks.run('engine', async () => {
    const chosen = backupEngine(backupOptions);
    return { value: chosen, detail: `${chosen.title} (\`${chosen.backup!.option}\`).` };
  });
  if (engine?.backup?.preflight) {
    await engine.backup.preflight(backupOptions, context, checks);
  } else if (engine) {
    checks.warn('source', `Not checked: preflight has no checks for ${engine.title} sources yet, so the backup is the first to try this source.`);
  }
  return engine !== undefined;
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
  const checks = new Checks(failFast);
  const { encryption, signing, store } = await runSharedChecks(options, context, checks, { failFast, store: given });
  // The engine checks its own source: `source`, then its tools and permissions.
  const engine = await runSourceChecks(options, context, checks, failFast);
  const prepared = encryption && store && engine ? { encryption, signing, store } : undefined;
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
