import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { drillRecordSchema, type DrillRecord } from '../catalog/drill-record.js';
import { drillRecordKey, drillSignatureKey, isValidBackupName, SIGNATURE_SUFFIX } from '../catalog/layout.js';
import type { RunContext } from '../context.js';
import { signDetached, signingPublicKey } from '../crypto/sign.js';
import type { Targets } from '../history-report/controls.js';
import { readStoreReport, renderReport } from '../history-report/read.js';
import { describeError } from '../report/errors.js';
import { redact } from '../report/secrets.js';
import type { Store } from '../storage/store.js';
import { renderEvidenceMarkdown } from './evidence.js';

/** Where the evidence went. */
export interface PublishedEvidence {
  /** The evidence files, unless they could not be written (a warning says why). */
  readonly jsonPath?: string;
  readonly markdownPath?: string;
  /** The HTML history report, when `report` asked for one and it was written. */
  readonly reportPath?: string;
  /** Store key of the drill record, when it was stored. */
  readonly storedKey?: string;
  /** Fingerprint of the key that signed the record, when it was signed. */
  readonly signedBy?: string;
}

/** The history report a drill writes after its evidence (`report: true`). */
export interface DrillReport {
  readonly since: Date;
  readonly targets: Targets;
}

/** The drill's own key for signing its record (`signing-key`), checked before the drill starts. */
export interface RecordSigning {
  readonly signingKey: string;
  readonly passphrase?: string;
  readonly fingerprint: string;
}

/**
 * Loads the drill's signing key now, so a bad key or passphrase stops the drill before
 * anything is downloaded. Without one the drill runs and its record is unsigned, with a
 * warning: a gate that checks signatures ignores it.
 */
export async function prepareRecordSigning(
  options: { readonly signingKey?: string; readonly signingKeyPassphrase?: string; readonly recordDrill?: boolean },
  context: RunContext,
): Promise<RecordSigning | undefined> {
  if (!options.signingKey?.trim()) {
    if (options.recordDrill !== false) {
      context.reporter.warning(
        'No `signing-key` is set: the drill record is NOT SIGNED, so a gate with `signing-public-key` ignores it, and one without cannot tell it from a forged record. Make a key pair for drills with `lifeboat keygen`, set `signing-key` (a secret) here and its public key as the gate\'s `signing-public-key`.',
      );
    }
    return undefined;
  }
  const signing = { signingKey: options.signingKey, passphrase: options.signingKeyPassphrase };
  const { fingerprint } = await signDetached(Buffer.from('lifeboat drill record signing key check'), signing);
  return { ...signing, fingerprint };
}

/**
 * Where evidence goes without `evidence-dir`: the runner's temp folder in Actions (uploaded as an
 * artifact from there), else the user's state folder, so a drill run from a checkout never
 * leaves files in it.
 */
export function defaultEvidenceDir(context: Pick<RunContext, 'surface' | 'tempDir' | 'env'>): string {
  if (context.surface === 'action') return join(context.tempDir, 'lifeboat-evidence');
  const state = context.env.XDG_STATE_HOME || join(context.env.HOME || homedir(), '.local', 'state');
  return join(state, 'lifeboat', 'evidence');
}

/**
 * Writes the evidence as JSON and Markdown files, stores the JSON under the name's `drills/`
 * prefix (where the gate reads it), puts the Markdown in the job summary and, in Actions,
 * uploads both as an artifact. With `signing`, a detached signature of the exact JSON goes
 * beside it (`.json.sig`), stored before the record so a record never appears unsigned.
 * Publishing problems are warnings: the drill's verdict stands.
 */
export async function publishEvidence(
  record: DrillRecord,
  options: { store?: Store; evidenceDir?: string; recordDrill: boolean; retentionDays?: number; signing?: RecordSigning; report?: DrillReport },
  context: RunContext,
): Promise<PublishedEvidence> {
  const { reporter } = context;
  const dir = resolve(options.evidenceDir ?? defaultEvidenceDir(context));
  const json = redact(`${JSON.stringify(drillRecordSchema.parse(record), null, 2)}\n`);
  const markdown = redact(renderEvidenceMarkdown(record));
  // The file name and store key are built from the name: only a valid one may shape them.
  const name = isValidBackupName(record.name) ? record.name : undefined;
  const base = `drill-${name ?? 'unknown'}-${record.id}`;
  let signature: string | undefined;
  if (options.signing) {
    try {
      signature = (await signDetached(Buffer.from(json), options.signing)).signature;
    } catch (error) {
      reporter.warning(`Could not sign the drill record: ${describeError(error)} It is published unsigned; a gate with \`signing-public-key\` ignores it.`);
    }
  }
  let files: { jsonPath: string; markdownPath: string; signaturePath?: string } | undefined;
  try {
    await mkdir(dir, { recursive: true });
    const paths = { jsonPath: join(dir, `${base}.json`), markdownPath: join(dir, `${base}.md`) };
    await writeFile(paths.jsonPath, json);
    await writeFile(paths.markdownPath, markdown);
    const signaturePath = signature === undefined ? undefined : `${paths.jsonPath}${SIGNATURE_SUFFIX}`;
    if (signaturePath) await writeFile(signaturePath, signature!);
    files = { ...paths, signaturePath };
    reporter.info(`Evidence: ${paths.jsonPath}`);
  } catch (error) {
    reporter.warning(`Could not write the evidence files to ${dir}: ${describeError(error)}. Set \`evidence-dir\` to a writable folder.`);
  }
  await reporter.summary(markdown);

  let storedKey: string | undefined;
  if (options.recordDrill && options.store && name) {
    const key = drillRecordKey(name, record.id);
    try {
      if (signature !== undefined) {
        await options.store.put(drillSignatureKey(name, record.id), Readable.from([Buffer.from(signature)]), { contentType: 'application/pgp-signature' });
      }
      await options.store.put(key, Readable.from([Buffer.from(json)]), { contentType: 'application/json' });
      storedKey = key;
      reporter.info(`Drill record stored at ${options.store.location}/${key}${signature === undefined ? ' (unsigned)' : `, signed by ${options.signing!.fingerprint}`}.`);
    } catch (error) {
      reporter.warning(`Could not store the drill record at ${key}: ${describeError(error)}`);
    }
  }
  const reportPath = options.report && files && name ? await writeDrillReport(options.report, name, dir, options, context) : undefined;
  if (reporter.attach && files) {
    try {
      const attached = [files.jsonPath, files.markdownPath, ...(files.signaturePath ? [files.signaturePath] : []), ...(reportPath ? [reportPath] : [])];
      await reporter.attach(base, attached, dir, { retentionDays: options.retentionDays });
    } catch (error) {
      reporter.warning(`Could not upload the evidence artifact: ${describeError(error)}`);
    }
  }
  return { jsonPath: files?.jsonPath, markdownPath: files?.markdownPath, reportPath, storedKey, signedBy: signature === undefined ? undefined : options.signing?.fingerprint };
}

/**
 * The history report of the drilled name, read back from the store so it shows this drill as
 * the gate will see it: its Markdown to the summary, its HTML beside the evidence. Records
 * count only when the drill's own signing key signed them. Problems are warnings.
 */
async function writeDrillReport(
  report: DrillReport,
  name: string,
  dir: string,
  options: { store?: Store; signing?: RecordSigning },
  context: RunContext,
): Promise<string | undefined> {
  const { reporter } = context;
  if (!options.store) {
    reporter.warning('No history report: the store could not be opened.');
    return undefined;
  }
  try {
    const publicKey = options.signing ? await signingPublicKey(options.signing) : undefined;
    const model = await readStoreReport(options.store, { names: [name], since: report.since, targets: report.targets, signingPublicKey: publicKey }, context);
    const path = join(dir, `report-${name}.html`);
    await writeFile(path, renderReport(model, 'html'));
    await reporter.summary(renderReport(model, 'md'));
    reporter.info(`History report: ${path}`);
    return path;
  } catch (error) {
    reporter.warning(`Could not write the history report: ${describeError(error)}`);
    return undefined;
  }
}
