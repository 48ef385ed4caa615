import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { drillRecordSchema, type DrillRecord } from '../catalog/drill-record.js';
import { drillRecordKey, isValidBackupName } from '../catalog/layout.js';
import type { RunContext } from '../context.js';
import { describeError } from '../report/errors.js';
import { redact } from '../report/secrets.js';
import type { Store } from '../storage/store.js';
import { renderEvidenceMarkdown } from './evidence.js';

/** Where the evidence went. */
export interface PublishedEvidence {
  /** The evidence files, unless they could not be written (a warning says why). */
  readonly jsonPath?: string;
  readonly markdownPath?: string;
  /** Store key of the drill record, when it was stored. */
  readonly storedKey?: string;
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
 * uploads both as an artifact. Publishing problems are warnings: the drill's verdict stands.
 */
export async function publishEvidence(
  record: DrillRecord,
  options: { store?: Store; evidenceDir?: string; recordDrill: boolean; retentionDays?: number },
  context: RunContext,
): Promise<PublishedEvidence> {
  const { reporter } = context;
  const dir = resolve(options.evidenceDir ?? defaultEvidenceDir(context));
  const json = redact(`${JSON.stringify(drillRecordSchema.parse(record), null, 2)}\n`);
  const markdown = redact(renderEvidenceMarkdown(record));
  // The file name and store key are built from the name: only a valid one may shape them.
  const name = isValidBackupName(record.name) ? record.name : undefined;
  const base = `drill-${name ?? 'unknown'}-${record.id}`;
  let files: { jsonPath: string; markdownPath: string } | undefined;
  try {
    await mkdir(dir, { recursive: true });
    const paths = { jsonPath: join(dir, `${base}.json`), markdownPath: join(dir, `${base}.md`) };
    await writeFile(paths.jsonPath, json);
    await writeFile(paths.markdownPath, markdown);
    files = paths;
    reporter.info(`Evidence: ${paths.jsonPath}`);
  } catch (error) {
    reporter.warning(`Could not write the evidence files to ${dir}: ${describeError(error)}. Set \`evidence-dir\` to a writable folder.`);
  }
  await reporter.summary(markdown);

  let storedKey: string | undefined;
  if (options.recordDrill && options.store && name) {
    const key = drillRecordKey(name, record.id);
    try {
      await options.store.put(key, Readable.from([Buffer.from(json)]), { contentType: 'application/json' });
      storedKey = key;
      reporter.info(`Drill record stored at ${options.store.location}/${key}.`);
    } catch (error) {
      reporter.warning(`Could not store the drill record at ${key}: ${describeError(error)}`);
    }
  }
  if (reporter.attach && files) {
    try {
      await reporter.attach(base, [files.jsonPath, files.markdownPath], dir, { retentionDays: options.retentionDays });
    } catch (error) {
      reporter.warning(`Could not upload the evidence artifact: ${describeError(error)}`);
    }
  }
  return { ...files, storedKey };
}
