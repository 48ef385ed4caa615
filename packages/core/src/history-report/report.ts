import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunContext } from '../context.js';
import { ENGINES } from '../engines/registry.js';
import type { ReportOptions } from '../options/report.js';
import { instantAt } from '../options/values.js';
import { OptionError } from '../report/errors.js';
import type { OperationOutcome } from '../report/outcome.js';
import { readStackFile } from '../stacks/stack-file.js';
import { checkStackStore } from '../stacks/stack-store.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { readStoreReport, renderReport } from './read.js';

/**
 * `lifeboat report`: the history of backups and drills of a store, with charts, the declared
 * targets met or missed per month and quarter, and what is overdue. Reads only manifests and
 * drill records. Writes the report to `out` (whole or not at all), or prints it.
 */
export async function report(options: ReportOptions, context: RunContext, hooks: { readonly store?: Store } = {}): Promise<OperationOutcome> {
  const { reporter } = context;
  if (options.stack && options.name) {
    throw new OptionError('Both `stack` and `name` are set; a report covers either a stack\'s assets or one name.', 'Leave one of them unset.');
  }
  const now = context.now();
  const since = instantAt(options.since, now);
  if (since.getTime() >= now.getTime()) {
    throw new OptionError(`\`since\` (${since.toISOString()}) is not in the past, so the report would cover nothing.`, 'Give an earlier date, or a duration such as `365d`.');
  }
  let names: string[] | undefined = options.name ? [options.name] : undefined;
  if (options.stack) {
    const stack = readStackFile(options.stack, ENGINES);
    checkStackStore(stack, options.store, context.env);
    names = stack.restoreOrder.map((asset) => stack.assets.find((a) => a.name === asset)!.backupName);
  }
  const out = options.out ? resolve(options.out) : undefined;
  if (out) await requireFolder(out);
  const store = hooks.store ?? (await openStore(options, context));
  // A mistyped folder or bucket is an error naming it, not an empty report.
  if (!hooks.store) await store.probe({ readOnly: true });
  if (!options.signingPublicKey?.trim()) {
    reporter.warning('No `signing-public-key` is set, so drill records are reported as they are: anyone who can write to the store could have written one. Set the public key of the drills\' `signing-key`.');
  }
  const model = await readStoreReport(
    store,
    { names, since, targets: { maxRpoMs: options.maxRpo, maxRtoMs: options.maxRto, drillEveryMs: options.drillEvery }, signingPublicKey: options.signingPublicKey },
    context,
  );
  if (model.names.length === 0) reporter.warning(`${store.location} holds no backups or drill records: the report is empty.`);
  for (const rejected of model.rejected) reporter.warning(rejected.problem);
  const text = renderReport(model, options.format);
  if (out) {
    await writeWhole(out, text);
    reporter.info(`Report written to ${out}.`);
  } else {
    await reporter.summary(text);
  }
  return {
    ok: true,
    outputs: {
      names: model.names.join(','),
      backups: model.totals.backups,
      drills: model.totals.drills,
      'rejected-drills': model.totals.rejected,
      'controls-missed': model.totals.controlsMissed,
      overdue: model.totals.overdue,
      path: out,
    },
    data: model,
  };
}

async function requireFolder(path: string): Promise<void> {
  const folder = dirname(path);
  const found = await stat(folder).catch(() => undefined);
  if (!found?.isDirectory()) throw new OptionError(`The folder of \`out\` (${folder}) does not exist.`, 'Create it first, or give another path.');
}

/** Writes beside the target and renames, so a failed run never leaves half a report. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
