import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanisterArchiveError, createCanisterSource, verifyCanisterArchive, type SourceResult } from '@lifeboat/core';
import { startProtocolPeer, staticDataset, type ProtocolPeer } from './protocol-peer.mjs';
import { drainSource, tempFolder, testContext } from './support.js';

// Archives come from a live export against the protocol-level peer (a loopback HTTP server
// speaking the canister's documented operator export protocol).

let folder: Awaited<ReturnType<typeof tempFolder>>;
let canister: ProtocolPeer;
const archives: Record<'gzip' | 'zstd', { file: string; result: SourceResult }> = {} as never;

beforeAll(async () => {
  folder = await tempFolder();
  const users = Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [
      `user${i}`,
      {
        vaults: [
          {
            id: 'default',
            notes: Array.from({ length: i }, (_, n) => ({ path: `${n}.md`, frontmatter: '', body: `note ${n}` })),
            proposals: [{ proposal_id: `p${i}`, body: i === 3 ? '<html>' : { proposal_id: `p${i}` } }],
          },
        ],
      },
    ]),
  );
  canister = await startProtocolPeer({ dataset: staticDataset(users), exportKey: 'verify-export-key' });
  for (const compression of ['gzip', 'zstd'] as const) {
    const file = join(folder.path, `export.${compression}`);
    const source = createCanisterSource(
      {
        canisterUrl: canister.url,
        exportKey: 'verify-export-key',
        pageSize: 5,
        concurrency: 2,
        requestTimeout: 5000,
        retries: 0,
        retryDelay: 10,
        retryMaxDelay: 10,
        compression,
      },
      testContext(),
    );
    archives[compression] = { file, result: await drainSource(source, file) };
  }
});

afterAll(async () => {
  await canister?.close();
  await folder?.remove();
});

const nodeZstd = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
const failing = (checks: { ok: boolean; name: string }[]) => checks.filter((c) => !c.ok).map((c) => c.name);

describe('verifyCanisterArchive', () => {
  it.each(['gzip', 'zstd'] as const)('passes every check on a whole %s archive', async (compression) => {
    const { file, result } = archives[compression];
    const { checks } = await verifyCanisterArchive(file, result.manifest);
    expect(failing(checks)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'archive decompresses',
      'records parse',
      'header record first',
      'trailer record last',
      'records in order',
      'trailer counts match records',
      'users match the manifest',
      'vaults match the manifest',
      'notes match the manifest',
      'proposals match the manifest',
      'export complete',
    ]);
    expect(checks.find((c) => c.name === 'notes match the manifest')).toMatchObject({ expected: 66, actual: 66 });
  });

  it('fails the count check when the manifest disagrees with the archive', async () => {
    const { file, result } = archives.gzip;
    const manifest = { ...result.manifest, counts: { ...(result.manifest.counts as object), proposals: 13 } };
    const { checks } = await verifyCanisterArchive(file, manifest);
    expect(failing(checks)).toEqual(['proposals match the manifest']);
    expect(checks.find((c) => c.name === 'proposals match the manifest')).toMatchObject({ expected: 13, actual: 12 });
  });

  it.each(['gzip', 'zstd'] as const)('fails a truncated %s archive', async (compression) => {
    const { file, result } = archives[compression];
    const bytes = await readFile(file);
    const cut = join(folder.path, `cut.${compression}`);
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { checks } = await verifyCanisterArchive(cut, result.manifest);
    expect(failing(checks)).toContain('archive decompresses');
    expect(failing(checks)).toContain('trailer record last');
  });

  it('fails a file that is not compressed at all', async () => {
    const plain = join(folder.path, 'plain.ndjson');
    await writeFile(plain, '{"type":"header"}\n');
    const { checks } = await verifyCanisterArchive(plain, archives.gzip.result.manifest);
    expect(checks).toEqual([expect.objectContaining({ name: 'archive decompresses', ok: false, actual: 'unknown' })]);
  });

  it('fails records out of order, unparsable lines and incomplete exports', async () => {
    const header = { type: 'header', format: 'lifeboat-canister-export', format_version: 1, kind: 'knowtation-operator-export', exported_at: 'x', mode: 'operator' };
    const counts = { users: 1, vaults: 1, notes: 0, proposals: 0 };
    const trailer = { type: 'trailer', complete: false, counts };
    const lines = [header, { type: 'vault', user_id: 'u', vault_id: 'v', notes: [] }, { type: 'user', user_id: 'u', vault_ids: ['v'] }, trailer];
    const disordered = join(folder.path, 'disordered.gz');
    await writeFile(disordered, gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
    const manifest = { kind: 'canister', compression: 'gzip', counts, complete: false };
    const { checks } = await verifyCanisterArchive(disordered, manifest);
    expect(failing(checks)).toEqual(['records in order', 'export complete']);
    expect(checks.find((c) => c.name === 'records in order')?.actual).toBe('line 2: a vault record before its user record');

    const garbled = join(folder.path, 'garbled.gz');
    await writeFile(garbled, gzipSync([JSON.stringify(header), '{not json', JSON.stringify(trailer)].join('\n') + '\n'));
    const second = await verifyCanisterArchive(garbled, manifest);
    expect(second.checks.find((c) => c.name === 'records parse')).toMatchObject({ ok: false, message: expect.stringContaining('line 2') });
  });

  // The `zstd` binary (Node without zstd in node:zlib) ends its output cleanly and reports a
  // damaged input only through its exit status; node:zlib errors the stream itself.
  it.skipIf(nodeZstd)('fails a snapshot archive the zstd binary rejects, even when tar lists all of it', async () => {
    const snapshot = join(folder.path, 'hub-0001');
    await mkdir(snapshot);
    await writeFile(join(snapshot, 'wasm.bin'), Buffer.alloc(64 * 1024, 7));
    await writeFile(join(snapshot, 'stable.bin'), Buffer.alloc(32 * 1024, 9));
    const tarFile = join(folder.path, 'snapshots.tar');
    const archive = join(folder.path, 'snapshots.tar.zst');
    execFileSync('tar', ['-cf', tarFile, '-C', folder.path, 'hub-0001']);
    execFileSync('zstd', ['-q', '-f', tarFile, '-o', archive]);
    const manifest = { kind: 'canister-snapshot', compression: 'zstd', files: 2 };
    expect(failing((await verifyCanisterArchive(archive, manifest)).checks)).toEqual([]);

    // Bytes after the frame: zstd has already written the whole tar when it fails on them.
    const damaged = join(folder.path, 'damaged.tar.zst');
    await writeFile(damaged, Buffer.concat([await readFile(archive), Buffer.from('bytes after the frame')]));
    const { checks } = await verifyCanisterArchive(damaged, manifest);
    expect(failing(checks)).toEqual(['archive decompresses']);
    expect(checks[0]!.message).toMatch(/^zstd decompression failed: zstd exited with 1/);
  });

  it('names a missing file as an error to act on', async () => {
    await expect(verifyCanisterArchive(join(folder.path, 'absent'), {})).rejects.toBeInstanceOf(CanisterArchiveError);
  });
});
