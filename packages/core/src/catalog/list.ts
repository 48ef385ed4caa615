import type { RunContext } from '../context.js';
import { readPublicKeys } from '../crypto/keys.js';
import type { ListOptions } from '../options/list.js';
import { formatBytes, formatDuration } from '../options/values.js';
import type { OperationOutcome } from '../report/outcome.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { readCatalog, readStoreCatalog, type CatalogBackup, type DrillSummary, type DrillVerdictName, type NameCatalog } from './catalog.js';
import { newestComplete } from './decisions.js';
import { ENGINES } from '../engines/registry.js';
import { listStack } from '../stacks/list-stack.js';
import { readStackFile } from '../stacks/stack-file.js';
import { checkStackStore } from '../stacks/stack-store.js';

/** A backup as `list --json` shows it: no object keys, no manifest internals beyond what operators ask for. */
export interface BackupView {
  readonly id: string;
  readonly time: string;
  readonly state: CatalogBackup['state'];
  readonly size: number;
  readonly objects: number;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly source?: string;
  readonly encryption?: 'openpgp' | 'age' | 'none';
  readonly recipients?: readonly string[];
  readonly problem?: string;
  readonly lastDrill?: { readonly id: string; readonly verdict: DrillVerdictName; readonly finishedAt: string };
}

/** One name as `list --json` shows it. */
export interface NameView {
  readonly name: string;
  readonly backups: readonly BackupView[];
  readonly newestComplete?: string;
  readonly drills: readonly {
    readonly id: string;
    readonly verdict: DrillVerdictName;
    readonly finishedAt: string;
    readonly backupId?: string;
    readonly manifestSha256?: string;
    /** `verified` when `signing-public-key` was given and the record's signature checks out. */
    readonly signature: 'verified' | 'unchecked';
    readonly signedBy?: string;
  }[];
  readonly unreadableDrills: readonly { readonly key: string; readonly problem: string }[];
  /** Unsigned drill records, ignored because `signing-public-key` was given. */
  readonly ignoredDrills: readonly { readonly key: string; readonly problem: string }[];
  readonly strays: readonly string[];
}

/** The plain-JSON view of a catalog. */
export function catalogView(catalog: NameCatalog): NameView {
  return {
    name: catalog.name,
    backups: catalog.backups.map(backupView),
    newestComplete: newestComplete(catalog.backups)?.id,
    drills: catalog.drills.map((d) => ({
      id: d.id,
      verdict: d.verdict,
      finishedAt: d.finishedAt.toISOString(),
      backupId: d.backupId,
      manifestSha256: d.manifestSha256,
      signature: d.signature,
      signedBy: d.signedBy,
    })),
    unreadableDrills: catalog.unreadableDrills.map((u) => ({ key: u.key, problem: u.problem })),
    ignoredDrills: catalog.rejectedDrills.map((r) => ({ key: r.key, problem: r.problem })),
    strays: catalog.strays,
  };
}

function backupView(b: CatalogBackup): BackupView {
  const m = b.manifest;
  return {
    id: b.id,
    time: b.time.toISOString(),
    state: b.state,
    size: b.size,
    objects: b.folder.objects.length,
    finishedAt: m?.finishedAt,
    durationMs: m?.durationMs,
    source: m?.source.kind,
    encryption: m?.encryption.scheme,
    recipients: m && [...m.encryption.recipients.map((r) => r.fingerprint), ...(m.encryption.ageRecipients ?? [])],
    problem: b.problem,
    lastDrill: b.lastDrill && drillView(b.lastDrill),
  };
}

function drillView(d: DrillSummary) {
  return { id: d.id, verdict: d.verdict, finishedAt: d.finishedAt.toISOString() };
}

/** `lifeboat list`: the catalog of one name, or of every name in the store. */
export async function listCatalog(options: ListOptions, context: RunContext): Promise<OperationOutcome> {
  const store = await openStore(options, context);
  // A mistyped folder or bucket is an error, not an empty store.
  await store.probe({ readOnly: true });
  return listStore(store, options, context);
}

/** `list` against an open store. */
export async function listStore(store: Store, options: Pick<ListOptions, 'name'> & Partial<Pick<ListOptions, 'signingPublicKey' | 'stack' | 'store'>>, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const read = { signingPublicKey: options.signingPublicKey };
  if (options.signingPublicKey?.trim()) await readPublicKeys(options.signingPublicKey, { option: 'signing-public-key' });
  if (options.stack) {
    const stack = readStackFile(options.stack, ENGINES);
    if (options.store !== undefined) checkStackStore(stack, options.store, context.env);
    return listStack(store, stack.name, read, context);
  }
  const catalogs = options.name ? [await readCatalog(store, options.name, read)] : await readStoreCatalog(store, read);
  const views = catalogs.map(catalogView);
  const all = catalogs.flatMap((c) => c.backups);
  const count = (state: CatalogBackup['state']) => all.filter((b) => b.state === state).length;
  for (const catalog of catalogs) {
    for (const b of catalog.backups) {
      if (b.state === 'incomplete') reporter.warning(`${catalog.name}/${b.id} is incomplete: ${b.problem ?? `${b.folder.objects.length} object(s) but no manifest`}.`);
      if (b.state === 'unreadable') reporter.warning(`${catalog.name}/${b.id}: ${b.problem}`);
    }
    for (const u of catalog.unreadableDrills) reporter.warning(u.problem);
    for (const r of catalog.rejectedDrills) reporter.warning(r.problem);
    for (const key of catalog.strays) reporter.warning(`${key} is neither a backup object nor a drill record.`);
  }
  await reporter.summary(listSummary(catalogs, store.location, context.now()));
  return {
    ok: true,
    outputs: {
      names: catalogs.map((c) => c.name).join(','),
      complete: count('complete'),
      incomplete: count('incomplete'),
      unreadable: count('unreadable'),
      'newest-backup-id': catalogs.length === 1 ? newestComplete(catalogs[0]!.backups)?.id : undefined,
    },
    data: { store: store.location, names: views },
  };
}

function listSummary(catalogs: readonly NameCatalog[], store: string, now: Date): string {
  if (catalogs.length === 0 || catalogs.every((c) => c.backups.length === 0 && c.drills.length === 0)) {
    return `### Backups\n\nStore: ${store}\n\nNo backups.\n`;
  }
  const lines = ['### Backups', '', `Store: ${store}`];
  for (const catalog of catalogs) {
    lines.push('', `#### \`${catalog.name}\``, '', '| backup | age | size | state | encryption | last drill |', '| --- | --- | --- | --- | --- | --- |');
    for (const b of catalog.backups) {
      const encryption = b.manifest ? b.manifest.encryption.scheme : '—';
      const drill = b.lastDrill ? `${b.lastDrill.verdict} (${formatDuration(Math.max(0, now.getTime() - b.lastDrill.finishedAt.getTime()))} ago)` : '—';
      const age = formatDuration(Math.max(0, now.getTime() - b.time.getTime()));
      lines.push(`| \`${b.id}\` | ${age} | ${formatBytes(b.size)} | ${b.state} | ${encryption} | ${drill} |`);
    }
    const newestDrill = catalog.drills[0];
    if (newestDrill) {
      const signed = newestDrill.signature === 'verified' ? `, record signed by ${newestDrill.signedBy}` : '';
      lines.push('', `Newest drill: \`${newestDrill.id}\` ${newestDrill.verdict} at ${newestDrill.finishedAt.toISOString()}${signed}.`);
    }
    if (catalog.rejectedDrills.length > 0) lines.push('', `Ignored ${catalog.rejectedDrills.length} unsigned drill record(s).`);
  }
  return `${lines.join('\n')}\n`;
}
