import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import type { RunContext } from '../../context.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { chooseCompression, payloadName, spawnFilter, startCompressor, type CompressionPreference } from './compression.js';
import type { SnapshotTaken } from './snapshot.js';

/** Base name of a snapshot payload, before the compression extension. */
export const SNAPSHOT_PAYLOAD_BASE = 'snapshots.tar';

/** Options of the snapshot source. */
export interface SnapshotSourceOptions {
  /** Downloaded snapshots (each with `downloadedTo`), all under one parent folder. */
  readonly snapshots: readonly SnapshotTaken[];
  readonly network: string;
  readonly compression?: CompressionPreference;
}

/**
 * A backup source that stores downloaded canister snapshots as one compressed tar archive
 * (one top folder per snapshot, `<canister>-<snapshot-id>/`), so they are encrypted, stored,
 * retained and verified like any other backup. Restorable without Lifeboat: decrypt,
 * `tar -x`, then `dfx canister snapshot upload`.
 */
export function createSnapshotSource(options: SnapshotSourceOptions, context: RunContext): BackupSource {
  const folders = options.snapshots.map((s) => s.downloadedTo).filter((d): d is string => d !== undefined);
  if (folders.length === 0 || folders.length !== options.snapshots.length) {
    throw new Error('createSnapshotSource needs snapshots that were downloaded.');
  }
  const parent = dirname(folders[0]!);
  const compression = chooseCompression(options.compression);
  const first = options.snapshots[0]!.canister;
  let expectedSize: number | undefined;
  return {
    kind: 'canister-snapshot',
    defaultName: `${first}-snapshots`,
    payloadFile: payloadName(SNAPSHOT_PAYLOAD_BASE, compression),
    async start(signal: AbortSignal): Promise<SourceRun> {
      const files: { path: string; size: number }[] = [];
      for (const folder of folders) await listFiles(folder, parent, files);
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      // The uncompressed size bounds the payload closely enough to size multipart parts.
      expectedSize = bytes + 1024 * (files.length + folders.length + 2);
      context.reporter.info(`Archiving ${files.length} snapshot files (${bytes} bytes) from ${folders.length} snapshot${folders.length === 1 ? '' : 's'}.`);
      const tar = spawnFilter('tar', ['-cf', '-', '-C', parent, '--', ...folders.map((f) => basename(f))], 'tar');
      tar.stream.end();
      const compressor = startCompressor(compression);
      const stream = pipeline(tar.stream as unknown as Readable, compressor.stream, () => {}) as Readable;
      const onAbort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      const result: Promise<SourceResult> = Promise.all([tar.done, compressor.done])
        .then(() => ({
          manifest: {
            kind: 'canister-snapshot',
            network: options.network,
            snapshots: options.snapshots.map((s) => ({ canister: s.canister, snapshotId: s.snapshotId })),
            files: files.length,
            bytes,
            format: 'tar',
            compression: compression.kind,
            compressor: compression.via,
          },
          stats: { files },
        }))
        .finally(() => signal.removeEventListener('abort', onAbort));
      result.catch(() => {});
      return {
        stream,
        result,
        abort(reason?: Error) {
          stream.destroy(reason ?? new Error('The snapshot archive was aborted.'));
        },
      };
    },
    get expectedSize() {
      return expectedSize;
    },
  };
}

async function listFiles(folder: string, root: string, into: { path: string; size: number }[]): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) await listFiles(full, root, into);
    else if (entry.isFile()) into.push({ path: relative(root, full), size: (await stat(full)).size });
  }
}
