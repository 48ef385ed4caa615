import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { drillRecordSchema, type DrillRecord } from '../catalog/drill-record.js';
import { drillRecordKey } from '../catalog/layout.js';
import type { RunContext } from '../context.js';
import { describeError } from '../report/errors.js';
import { redact } from '../report/secrets.js';
import type { Store } from '../storage/store.js';
import { renderEvidenceMarkdown } from './evidence.js';

/** Where the evidence went. */
export interface PublishedEvidence {
  readonly jsonPath: string;
  readonly markdownPath: string;
  /** Store key of the drill record, when it was stored. */
  readonly storedKey?: string;
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
  const dir = resolve(options.evidenceDir ?? (context.surface === 'action' ? join(context.tempDir, 'lifeboat-evidence') : 'lifeboat-evidence'));
  await mkdir(dir, { recursive: true });
  const json = redact(`${JSON.stringify(drillRecordSchema.parse(record), null, 2)}\n`);
  const markdown = renderEvidenceMarkdown(record);
  const base = `drill-${record.name || 'unknown'}-${record.id}`;
  const jsonPath = join(dir, `${base}.json`);
  const markdownPath = join(dir, `${base}.md`);
  await writeFile(jsonPath, json);
  await writeFile(markdownPath, markdown);
  reporter.info(`Evidence: ${jsonPath}`);
  await reporter.summary(markdown);

  let storedKey: string | undefined;
  if (options.recordDrill && options.store && record.name) {
    const key = drillRecordKey(record.name, record.id);
    try {
      await options.store.put(key, Readable.from([Buffer.from(json)]), { contentType: 'application/json' });
      storedKey = key;
      reporter.info(`Drill record stored at ${options.store.location}/${key}.`);
    } catch (error) {
      reporter.warning(`Could not store the drill record at ${key}: ${describeError(error)}`);
    }
  }
  if (reporter.attach) {
    try {
      await reporter.attach(base, [jsonPath, markdownPath], dir, { retentionDays: options.retentionDays });
    } catch (error) {
      reporter.warning(`Could not upload the evidence artifact: ${describeError(error)}`);
    }
  }
  return { jsonPath, markdownPath, storedKey };
}
