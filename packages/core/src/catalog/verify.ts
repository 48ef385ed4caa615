import { createHash } from 'node:crypto';
import type { RunContext } from '../context.js';
import type { VerifyOptions } from '../options/verify.js';
import { formatBytes } from '../options/values.js';
import { LifeboatError, OptionError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { readCatalog, readStoreCatalog, type CatalogBackup, type NameCatalog } from './catalog.js';
import { byNewest } from './decisions.js';
import { backupObjectKey, MANIFEST_FILE, MANIFEST_SIGNATURE_FILE } from './layout.js';

/** One stored object checked against its manifest entry. */
export interface ObjectCheck {
  readonly key: string;
  readonly file: string;
  readonly role: string;
  readonly expectedSize: number;
  readonly expectedSha256: string;
  readonly actualSize?: number;
  readonly actualSha256?: string;
  readonly ok: boolean;
}

/** The result of verifying one backup. */
export interface BackupVerification {
  readonly name: string;
  readonly id: string;
  readonly ok: boolean;
  readonly checks: readonly ObjectCheck[];
  /** One line per problem, naming the object, what was expected and what was found. */
  readonly problems: readonly string[];
  readonly bytesRead: number;
  /** Bytes the backup holds in the store, every object included: the one size shown for a backup. */
  readonly storedBytes: number;
  /** Files in the backup's folder that its manifest does not list (besides the manifest and its signature). */
  readonly unlisted: readonly string[];
}

/** No backup with the requested id exists. */
export class BackupNotFoundError extends LifeboatError {
  constructor(message: string) {
    super('backup-not-found', message, 'Run `lifeboat list` to see the backup ids in the store.');
  }
}

/**
 * Re-reads every object a backup's manifest lists and compares the stored size and the
 * SHA-256 of the stored bytes, without decrypting (no keys needed). Reads stream: memory
 * stays flat whatever the size. A backup without a readable manifest fails.
 */
export async function verifyBackup(store: Store, backup: CatalogBackup): Promise<BackupVerification> {
  const base = { name: backup.name, id: backup.id, storedBytes: backup.size };
  if (backup.state === 'incomplete' && !backup.manifest) {
    return { ...base, ok: false, checks: [], problems: [`${backup.name}/${backup.id}/ has no ${MANIFEST_FILE}: the backup is incomplete.`], bytesRead: 0, unlisted: [] };
  }
  if (backup.state === 'unreadable' || !backup.manifest) {
    return { ...base, ok: false, checks: [], problems: [backup.problem ?? `${backup.name}/${backup.id}/${MANIFEST_FILE} cannot be read.`], bytesRead: 0, unlisted: [] };
  }
  const checks: ObjectCheck[] = [];
  // A partial export's bytes are still checked, but it never verifies as a good backup.
  const problems: string[] = backup.state === 'incomplete' ? [`${backup.name}/${backup.id}: ${backup.problem ?? 'the backup is incomplete'}.`] : [];
  let bytesRead = 0;
  for (const entry of backup.manifest.objects) {
    const listed = backup.folder.objects.find((o) => o.file === entry.file);
    const key = listed?.key ?? backupObjectKey(backup.name, backup.id, entry.file);
    const expected = { key, file: entry.file, role: entry.role, expectedSize: entry.size, expectedSha256: entry.sha256 };
    if (!listed) {
      checks.push({ ...expected, ok: false });
      problems.push(`${key}: missing (expected ${entry.size} bytes, SHA-256 ${entry.sha256}).`);
      continue;
    }
    let actual: { size: number; sha256: string };
    try {
      actual = await hashObject(store, key);
    } catch (error) {
      checks.push({ ...expected, actualSize: listed.size, ok: false });
      problems.push(`${key}: could not be read (${error instanceof Error ? error.message : String(error)}).`);
      continue;
    }
    bytesRead += actual.size;
    const ok = actual.size === entry.size && actual.sha256 === entry.sha256;
    checks.push({ ...expected, actualSize: actual.size, actualSha256: actual.sha256, ok });
    if (actual.size !== entry.size) problems.push(`${key}: size expected ${entry.size} bytes, actual ${actual.size} bytes.`);
    if (actual.sha256 !== entry.sha256) problems.push(`${key}: SHA-256 expected ${entry.sha256}, actual ${actual.sha256}.`);
  }
  const known = new Set([MANIFEST_FILE, MANIFEST_SIGNATURE_FILE, ...backup.manifest.objects.map((o) => o.file)]);
  const unlisted = backup.folder.objects.filter((o) => !known.has(o.file)).map((o) => o.file);
  return { ...base, ok: problems.length === 0, checks, problems, bytesRead, unlisted };
}

async function hashObject(store: Store, key: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const stream = await store.get(key);
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      hash.update(buffer);
    }
  } finally {
    stream.destroy();
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Picks `count` of the complete backups to verify: always the newest, plus others chosen at
 * random (`random` returns [0, 1), like Math.random), so repeated sampled runs cover the
 * whole history over time. Returns them newest first.
 */
export function chooseSample<T extends { readonly id: string; readonly time: Date }>(
  backups: readonly T[],
  count: number,
  random: () => number = Math.random,
): T[] {
  const ordered = byNewest(backups);
  if (count >= ordered.length) return ordered;
  if (count <= 0) return [];
  const [newest, ...rest] = ordered;
  // Partial Fisher-Yates: the first count-1 slots end up a uniform random choice.
  for (let i = 0; i < count - 1; i++) {
    const j = i + Math.floor(random() * (rest.length - i));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  return byNewest([newest!, ...rest.slice(0, count - 1)]);
}

/** `lifeboat verify`: opens the store and verifies one backup, every complete backup, or a sample. */
export async function verify(options: VerifyOptions, context: RunContext): Promise<OperationOutcome> {
  const store = await openStore(options, context);
  // A mistyped folder or bucket is an error, not an empty store.
  await store.probe({ readOnly: true });
  return verifyStore(store, options, context);
}

/** `verify` against an open store; `random` drives the sample. */
export async function verifyStore(
  store: Store,
  options: Pick<VerifyOptions, 'name' | 'backupId' | 'sample'>,
  context: RunContext,
  random: () => number = Math.random,
): Promise<OperationOutcome> {
  const { reporter } = context;
  const catalogs = options.name ? [await readCatalog(store, options.name)] : await readStoreCatalog(store);
  const targets = chooseTargets(catalogs, options, store, random);
  for (const catalog of catalogs) {
    const incomplete = catalog.backups.filter((b) => b.state === 'incomplete').length;
    if (incomplete > 0 && !options.backupId) reporter.warning(`${catalog.name}: ${incomplete} incomplete backup(s) not verified.`);
  }
  if (targets.length === 0) reporter.warning(`${store.location} holds no complete backup to verify.`);

  const results: BackupVerification[] = [];
  for (const backup of targets) {
    if (context.signal?.aborted) throw context.signal.reason instanceof Error ? context.signal.reason : new Error('verify aborted');
    const result = await verifyBackup(store, backup);
    results.push(result);
    if (result.ok) reporter.info(`ok ${backup.name}/${backup.id}: ${result.checks.length} object(s) match, ${formatBytes(result.storedBytes)} stored`);
    // Problems are not logged here: the failure the adapter prints names them, once.
    else reporter.info(`FAILED ${backup.name}/${backup.id}: ${result.problems.length} problem(s)`);
    for (const file of result.unlisted) reporter.warning(`${backup.name}/${backup.id}/${file} is not listed in the manifest.`);
  }

  const failed = results.filter((r) => !r.ok);
  const objects = results.reduce((n, r) => n + r.checks.filter((c) => c.actualSha256 !== undefined).length, 0);
  const bytes = results.reduce((n, r) => n + r.bytesRead, 0);
  await reporter.summary(verifySummary(results, store.location, options.sample));
  const problems = failed.flatMap((r) => r.problems);
  return {
    ok: failed.length === 0,
    failure:
      failed.length === 0
        ? undefined
        : `Verify failed for ${failed.length} of ${results.length} backup(s): ${problems.slice(0, 5).join(' ')}${problems.length > 5 ? ` (and ${problems.length - 5} more problems)` : ''}`,
    outputs: { verified: results.length, failed: failed.length, objects, bytes },
    data: { store: store.location, sample: options.sample, results },
  };
}

function chooseTargets(
  catalogs: readonly NameCatalog[],
  options: Pick<VerifyOptions, 'name' | 'backupId' | 'sample'>,
  store: Store,
  random: () => number,
): CatalogBackup[] {
  if (options.backupId) {
    const found = catalogs.flatMap((c) => c.backups.filter((b) => b.id === options.backupId));
    if (found.length === 0) {
      throw new BackupNotFoundError(`No backup ${options.backupId} in ${store.location}${options.name ? ` under ${options.name}` : ''}.`);
    }
    if (found.length > 1) {
      throw new OptionError(
        `Backup ${options.backupId} exists under several names (${found.map((b) => b.name).join(', ')}).`,
        'Set `name` to the one to verify.',
      );
    }
    return found;
  }
  return catalogs.flatMap((catalog) => {
    const complete = catalog.backups.filter((b) => b.state === 'complete');
    // Unreadable manifests cost nothing to report and always fail: they cannot be restored by this version.
    const unreadable = catalog.backups.filter((b) => b.state === 'unreadable');
    const chosen = options.sample ? chooseSample(complete, options.sample, random) : complete;
    return byNewest([...chosen, ...unreadable]);
  });
}

function verifySummary(results: readonly BackupVerification[], store: string, sample: number | undefined): string {
  const failed = results.filter((r) => !r.ok).length;
  const lines = [
    `### ${failed === 0 ? '✅' : '❌'} Verify: ${results.length - failed} of ${results.length} backup(s) match their manifests`,
    '',
    `Store: ${store}${sample ? ` (sample of ${sample} per name: the newest plus random others)` : ''}`,
  ];
  if (results.length > 0) {
    lines.push('', '| backup | objects | stored size | result |', '| --- | --- | --- | --- |');
    for (const r of results) {
      lines.push(`| \`${r.name}/${r.id}\` | ${r.checks.length} | ${formatBytes(r.storedBytes)} | ${r.ok ? 'ok' : `**${r.problems.length} problem(s)**`} |`);
    }
  }
  const problems = results.flatMap((r) => r.problems.map((p) => `- ${p}`));
  if (problems.length > 0) lines.push('', ...problems);
  return `${lines.join('\n')}\n`;
}
