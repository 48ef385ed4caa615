import { readCatalog, readStoreCatalog, type CatalogReadOptions, type NameCatalog } from '../catalog/catalog.js';
import type { RunContext } from '../context.js';
import { readPublicKeys } from '../crypto/keys.js';
import type { ReportOptions } from '../options/report.js';
import type { Store } from '../storage/store.js';
import type { Targets } from './controls.js';
import { renderReportHtml } from './html.js';
import { renderReportMarkdown } from './markdown.js';
import { buildReportModel, type ReportModel } from './model.js';

/** What a store report covers. */
export interface StoreReportRequest {
  /** The names to report on; undefined: every name in the store. */
  readonly names?: readonly string[];
  readonly since: Date;
  readonly targets: Targets;
  /** Public keys drill records must be signed by; empty: records are taken as they are. */
  readonly signingPublicKey?: string;
}

/**
 * Reads the catalogs a report needs and builds its model. Drill records are checked exactly as
 * the gate checks them (the catalog reads both): with `signingPublicKey`, unsigned records and
 * records whose signature does not verify are left out of every verdict and listed as rejected.
 */
export async function readStoreReport(store: Store, request: StoreReportRequest, context: RunContext): Promise<ReportModel> {
  const keys = request.signingPublicKey?.trim() ? request.signingPublicKey : undefined;
  // Unreadable or private keys stop the report before anything is read, naming the option.
  if (keys) await readPublicKeys(keys, { option: 'signing-public-key' });
  const read: CatalogReadOptions = { signingPublicKey: keys };
  const catalogs: NameCatalog[] = request.names
    ? await Promise.all(request.names.map((name) => readCatalog(store, name, read)))
    : await readStoreCatalog(store, read);
  return buildReportModel({ store: store.location, catalogs, since: request.since, now: context.now(), targets: request.targets, signaturesChecked: keys !== undefined });
}

/** The model in one of the report formats. */
export function renderReport(model: ReportModel, format: ReportOptions['format']): string {
  if (format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
  return format === 'md' ? renderReportMarkdown(model) : renderReportHtml(model);
}

