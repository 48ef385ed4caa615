import type { RunContext } from '../../context.js';
import type { CanisterExportOptions } from '../../options/canister-export.js';
import { backupFromSource } from '../../pipeline/backup-source.js';
import { OptionError } from '../../report/errors.js';
import type { OperationOutcome } from '../../report/outcome.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { createCanisterSource } from './canister-source.js';
import { createKtb1Source } from './ktb1.js';
import { parseReplacePairs, snapshotCanisters } from './snapshot.js';
import { createSnapshotSource } from './snapshot-source.js';

/** Runs a source through the shared backup pipeline (encrypt, hash, store, manifest last). */
export type PipelineRunner = (source: BackupSource, options: CanisterExportOptions, context: RunContext) => Promise<OperationOutcome>;

// `store` is checked by each mode that stores (requireStore) before the pipeline runs.
const sharedPipeline: PipelineRunner = (source, options, context) =>
  backupFromSource(source, { ...options, store: options.store ?? '' }, context);

/**
 * `canister-export`: by `mode`, a logical export of the hub canister (operator or single-user),
 * dfx snapshots (optionally downloaded and stored), or the import of a reference-tool file;
 * every stored result goes through the shared backup pipeline.
 */
export async function canisterExport(
  options: CanisterExportOptions,
  context: RunContext,
  runPipeline: PipelineRunner = sharedPipeline,
): Promise<OperationOutcome> {
  switch (options.mode) {
    case 'export': {
      requireStore(options, 'export');
      const tracked = trackResult(createCanisterSource(options, context));
      const outcome = await runPipeline(tracked.source, options, context);
      return withCompleteness(outcome, await tracked.result());
    }
    case 'import-ktb1': {
      requireStore(options, 'import-ktb1');
      const tracked = trackResult(createKtb1Source(options, context));
      const outcome = await runPipeline(tracked.source, options, context);
      return withCompleteness(outcome, await tracked.result());
    }
    case 'snapshot': {
      if (options.snapshotDownload) requireStore(options, 'snapshot with snapshot-download');
      const canisters = options.canisters ?? [];
      const replace = parseReplacePairs(options.snapshotReplace, canisters);
      const taken = await snapshotCanisters(
        {
          canisters,
          network: options.network,
          dfx: options.dfx,
          projectDir: options.dfxProjectDir,
          download: options.snapshotDownload,
          replace,
        },
        context,
      );
      const snapshotIds = taken.snapshots.map((s) => `${s.canister}=${s.snapshotId}`).join(',');
      await context.reporter.summary(
        ['### Canister snapshots', '', '| canister | snapshot id |', '| --- | --- |', ...taken.snapshots.map((s) => `| ${s.canister} | \`${s.snapshotId}\` |`)].join('\n'),
      );
      if (!options.snapshotDownload) {
        return { ok: true, outputs: { 'snapshot-ids': snapshotIds }, data: { dfxVersion: taken.dfxVersion, snapshots: taken.snapshots } };
      }
      const outcome = await runPipeline(createSnapshotSource({ snapshots: taken.snapshots, network: options.network }, context), options, context);
      return {
        ...outcome,
        outputs: { ...outcome.outputs, 'snapshot-ids': snapshotIds },
        data: { ...(isRecord(outcome.data) ? outcome.data : {}), dfxVersion: taken.dfxVersion, snapshots: taken.snapshots },
      };
    }
  }
}

function requireStore(options: CanisterExportOptions, what: string): void {
  if (!options.store) {
    throw new OptionError(`No store given: ${what} stores a backup.`, 'Set `store` (a folder, `s3://bucket/prefix` or `artifact://prefix`).');
  }
}

/** Wraps a source so the operation sees its result after the pipeline consumed it. */
function trackResult(source: BackupSource): { source: BackupSource; result: () => Promise<SourceResult | undefined> } {
  let resolveResult: (value: SourceResult | undefined) => void = () => {};
  const settled = new Promise<SourceResult | undefined>((resolve) => (resolveResult = resolve));
  let started = false;
  // A pipeline that never started the source has no result to wait for.
  const result = () => (started ? settled : Promise.resolve(undefined));
  const wrapped: BackupSource = {
    kind: source.kind,
    defaultName: source.defaultName,
    payloadFile: source.payloadFile,
    get expectedSize() {
      return source.expectedSize;
    },
    async start(signal: AbortSignal): Promise<SourceRun> {
      started = true;
      let run: SourceRun;
      try {
        run = await source.start(signal);
      } catch (error) {
        resolveResult(undefined);
        throw error;
      }
      run.result.then(resolveResult, () => resolveResult(undefined));
      return run;
    },
  };
  return { source: wrapped, result };
}

/** A stored but incomplete export fails the run: success is never reported falsely. */
function withCompleteness(outcome: OperationOutcome, result: SourceResult | undefined): OperationOutcome {
  const complete = result?.manifest.complete;
  if (typeof complete !== 'boolean') return outcome;
  const outputs = { ...outcome.outputs, complete };
  if (complete || !outcome.ok) return { ...outcome, outputs };
  const missing = Number(result?.manifest.usersMissing ?? 0);
  return {
    ...outcome,
    outputs,
    ok: false,
    failure: `The export was stored but is incomplete: ${missing} user${missing === 1 ? '' : 's'} listed by the user index at the end were not exported. Run it again.`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
