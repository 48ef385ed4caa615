import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CanisterSnapshotError,
  createSnapshotSource,
  DfxMissingError,
  DfxVersionError,
  OptionError,
  parseDfxVersion,
  parseReplacePairs,
  parseSnapshotId,
  snapshotCanisters,
  verifyCanisterArchive,
} from '@lifeboat/core';
import { installDfxStandIn, type DfxStandIn } from './dfx-stand-in.js';
import { drainSource, tempFolder, testContext } from './support.js';

let folder: Awaited<ReturnType<typeof tempFolder>>;
let dfx: DfxStandIn;
beforeEach(async () => {
  folder = await tempFolder();
  dfx = await installDfxStandIn(folder.path);
});
afterEach(async () => {
  await folder.remove();
});

const HUB_ID = '00000000006875620101';
const sequence = (c: string) => [`canister stop ${c} --network ic`, `canister snapshot create ${c} --network ic`, `canister start ${c} --network ic`];

describe('canister snapshots with the dfx stand-in', () => {
  it('stops, snapshots and starts each canister in order and returns the snapshot ids', async () => {
    const context = testContext(dfx.env());
    const result = await snapshotCanisters({ canisters: ['hub', 'attestation'], network: 'ic' }, context);
    expect(await dfx.calls()).toEqual(['--version', ...sequence('hub'), ...sequence('attestation')]);
    expect(result.dfxVersion).toBe('0.24.3');
    expect(result.snapshots).toEqual([
      { canister: 'hub', snapshotId: HUB_ID },
      { canister: 'attestation', snapshotId: '00000000006174746573746174696f0101' },
    ]);
  });

  it('starts the canister again when snapshot create fails, and stops there', async () => {
    const context = testContext(dfx.env({ fail: ['create:hub'] }));
    const error = await snapshotCanisters({ canisters: ['hub', 'attestation'], network: 'ic' }, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterSnapshotError);
    expect(await dfx.calls()).toEqual(['--version', ...sequence('hub')]);
    const message = (error as Error).message;
    expect(message).toContain('snapshot create failed');
    expect(message).toContain('reached the maximum number of snapshots');
    expect(message).toContain('hub was started again');
    expect((error as CanisterSnapshotError).fix).toContain('snapshot-replace');
  });

  it('reports both errors when create and the start after it fail', async () => {
    const error = await snapshotCanisters({ canisters: ['hub'], network: 'ic' }, testContext(dfx.env({ fail: ['create:hub', 'start:hub'] }))).catch(
      (e: unknown) => e,
    );
    expect(await dfx.calls()).toEqual(['--version', ...sequence('hub')]);
    const message = (error as Error).message;
    expect(message).toContain('snapshot create failed');
    expect(message).toContain('start failed: `dfx canister start hub --network ic` exited with 1: Error: Failed to start canister hub');
    expect(message).toContain('hub may be left STOPPED: start it now with `dfx canister start hub --network ic`');
  });

  it('starts the canister again when stop fails, without creating a snapshot', async () => {
    const error = await snapshotCanisters({ canisters: ['hub'], network: 'ic' }, testContext(dfx.env({ fail: ['stop:hub'] }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterSnapshotError);
    expect(await dfx.calls()).toEqual(['--version', 'canister stop hub --network ic', 'canister start hub --network ic']);
    expect((error as Error).message).toContain('stop failed');
  });

  it('starts the canister again and says so when create printed no snapshot id', async () => {
    const error = await snapshotCanisters({ canisters: ['hub'], network: 'ic' }, testContext(dfx.env({ fail: ['noid:hub'] }))).catch((e: unknown) => e);
    expect(await dfx.calls()).toEqual(['--version', ...sequence('hub')]);
    expect((error as Error).message).toContain('printed no "Snapshot ID:" line');
    expect((error as Error).message).toContain('dfx canister snapshot list hub --network ic');
  });

  it('names the snapshots taken before a later canister failed', async () => {
    const error = await snapshotCanisters({ canisters: ['hub', 'attestation'], network: 'ic' }, testContext(dfx.env({ fail: ['create:attestation'] }))).catch(
      (e: unknown) => e,
    );
    expect((error as CanisterSnapshotError).taken).toEqual({ hub: HUB_ID });
    expect((error as Error).message).toContain(`Snapshots taken before: hub=${HUB_ID}`);
    expect((await dfx.calls()).at(-1)).toBe('canister start attestation --network ic');
  });

  it('refuses a dfx older than 0.23 before touching any canister', async () => {
    const error = await snapshotCanisters({ canisters: ['hub'], network: 'ic' }, testContext(dfx.env({ version: '0.22.1' }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DfxVersionError);
    expect((error as Error).message).toBe('dfx 0.22.1 is too old for canister snapshots (needs 0.23.0 or newer).');
    expect(await dfx.calls()).toEqual(['--version']);
  });

  it('refuses when dfx is missing', async () => {
    const error = await snapshotCanisters({ canisters: ['hub'], network: 'ic', dfx: join(folder.path, 'no-such-dfx') }, testContext(dfx.env())).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DfxMissingError);
    expect((error as DfxMissingError).fix).toContain('dfx 0.23 or newer');
    expect(await dfx.calls()).toEqual([]);
  });

  it('passes --replace, runs dfx in the project folder, and uses the network asked for', async () => {
    const project = join(folder.path, 'hub-icp');
    await mkdir(project);
    await snapshotCanisters(
      { canisters: ['hub'], network: 'staging', projectDir: project, replace: parseReplacePairs(['hub=00000000000000000001'], ['hub']) },
      testContext(dfx.env()),
    );
    expect(await dfx.calls()).toContain('canister snapshot create hub --replace 00000000000000000001 --network staging');
    expect(new Set(await dfx.cwds())).toEqual(new Set([project]));
  });

  it('downloads each snapshot and archives the files as a backup source that verifies', async () => {
    const downloads = join(folder.path, 'downloads');
    const taken = await snapshotCanisters({ canisters: ['hub', 'attestation'], network: 'ic', download: downloads }, testContext(dfx.env()));
    expect(await dfx.calls()).toContain(`canister snapshot download hub ${HUB_ID} --dir ${join(downloads, `hub-${HUB_ID}`)} --network ic`);
    expect(taken.snapshots[0]!.downloadedTo).toBe(join(downloads, `hub-${HUB_ID}`));

    const source = createSnapshotSource({ snapshots: taken.snapshots, network: 'ic', compression: 'gzip' }, testContext());
    expect(source).toMatchObject({ kind: 'canister-snapshot', payloadFile: 'snapshots.tar.gz', defaultName: 'hub-snapshots' });
    const archive = join(folder.path, 'snapshots.tar.gz');
    const result = await drainSource(source, archive);
    expect(source.expectedSize).toBeGreaterThan(600_000);
    expect(result.manifest).toMatchObject({
      kind: 'canister-snapshot',
      network: 'ic',
      snapshots: [{ canister: 'hub', snapshotId: HUB_ID }, { canister: 'attestation' }],
      files: 8,
      compression: 'gzip',
    });
    const { checks } = await verifyCanisterArchive(archive, result.manifest);
    expect(checks.filter((c) => !c.ok)).toEqual([]);

    // Restorable without Lifeboat: tar extracts the same bytes.
    const out = join(folder.path, 'extracted');
    await mkdir(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    const hubFolder = `hub-${HUB_ID}`;
    expect((await readdir(join(out, hubFolder))).sort()).toEqual(['main_memory.bin', 'metadata.json', 'stable_memory.bin', 'wasm_module.bin']);
    expect(await readFile(join(out, hubFolder, 'main_memory.bin'))).toEqual(await readFile(join(downloads, hubFolder, 'main_memory.bin')));

    const wrong = await verifyCanisterArchive(archive, { ...result.manifest, files: 9 });
    expect(wrong.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['files match the manifest']);

    const bytes = await readFile(archive);
    const cut = join(folder.path, 'cut.tar.gz');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const truncated = await verifyCanisterArchive(cut, result.manifest);
    expect(truncated.checks.filter((c) => !c.ok).map((c) => c.name)).toContain('archive decompresses');
  });

  it('a failed download names the snapshot that exists on chain', async () => {
    const error = await snapshotCanisters(
      { canisters: ['hub'], network: 'ic', download: join(folder.path, 'd') },
      testContext(dfx.env({ fail: ['download:hub'] })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterSnapshotError);
    expect((error as Error).message).toContain(`Download of snapshot ${HUB_ID} of hub failed`);
    expect((error as Error).message).toContain('hub is running');
    expect((await dfx.calls()).filter((c) => c.startsWith('canister start'))).toHaveLength(1);
  });
});

describe('snapshot output parsing', () => {
  it.each([
    ['Created a new snapshot of canister hub. Snapshot ID: 0000000000000000ffffffffff9000010101', '0000000000000000ffffffffff9000010101'],
    ['Snapshot ID: abc\nSnapshot ID: def', 'def'],
    ['created snapshot id:   0a1b2c', '0a1b2c'],
    ['Created a new snapshot of canister hub.', undefined],
  ])('parseSnapshotId(%j) = %j', (output, id) => {
    expect(parseSnapshotId(output)).toBe(id);
  });

  it.each([
    ['dfx 0.24.3', [0, 24, 3]],
    ['dfx 0.23.0-beta.1', [0, 23, 0]],
    ['dfx 1.0.0\n', [1, 0, 0]],
    ['command not found', undefined],
  ])('parseDfxVersion(%j) = %j', (output, version) => {
    expect(parseDfxVersion(output)).toEqual(version);
  });

  it('refuses malformed replace pairs and canisters not snapshotted', () => {
    expect(() => parseReplacePairs(['hub'], ['hub'])).toThrow(OptionError);
    expect(() => parseReplacePairs(['other=0001'], ['hub'])).toThrow('which is not in `canisters`');
    expect(parseReplacePairs(['hub = 0001'], ['hub'])).toEqual({ hub: '0001' });
  });
});
