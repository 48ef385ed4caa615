import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canisterExport,
  canisterExportOperation,
  objectSource,
  OptionError,
  resolveOptions,
  verifyCanisterArchive,
  type BackupSource,
  type CanisterExportOptions,
  type PipelineRunner,
} from '@lifeboat/core';
import { installDfxStandIn, type DfxStandIn } from './dfx-stand-in.js';
import { startProtocolPeer, staticDataset, type ProtocolPeer } from './protocol-peer.mjs';
import { tempFolder, testContext } from './support.js';

// `canisterExport` end to end against the protocol-level peer of the canister (loopback HTTP
// server speaking the documented operator export protocol) and the dfx stand-in. The backup
// pipeline is another module's; here a runner stores the payload in a folder the way the
// pipeline consumes a source (stream to the end, then `result`), so what the operation hands
// it can be checked and verified.

const EXPORT_KEY = 'operation-export-key-77a1';
let folder: Awaited<ReturnType<typeof tempFolder>>;
let dfx: DfxStandIn;
let canister: ProtocolPeer;

beforeAll(async () => {
  folder = await tempFolder();
  dfx = await installDfxStandIn(folder.path);
  canister = await startProtocolPeer({
    dataset: staticDataset({
      ann: { vaults: [{ id: 'default', notes: [{ path: 'a.md', frontmatter: '', body: 'a' }], proposals: [{ proposal_id: 'p', body: { proposal_id: 'p' } }] }] },
      ben: { vaults: [] },
    }),
    exportKey: EXPORT_KEY,
  });
});
afterAll(async () => {
  await canister?.close();
  await folder?.remove();
});

function resolve(values: Record<string, string>): CanisterExportOptions {
  return resolveOptions(canisterExportOperation, objectSource({ store: join(folder.path, 'store'), 'create-store': 'true', encryption: 'none', ...values }));
}

/** Stores the payload as a file and reports like the pipeline would; keeps what it saw. */
function folderRunner(seen: { source?: BackupSource; file?: string; manifest?: Record<string, unknown> }): PipelineRunner {
  return async (source, _options, context) => {
    seen.source = source;
    const run = await source.start(context.signal ?? new AbortController().signal);
    run.result.catch(() => {});
    seen.file = join(folder.path, `${Date.now()}-${source.payloadFile}`);
    await pipeline(run.stream, createWriteStream(seen.file));
    seen.manifest = (await run.result).manifest;
    return { ok: true, outputs: { 'backup-id': 'stored-by-test-runner' } };
  };
}

describe('canister-export options', () => {
  it('parses every input with its defaults', () => {
    const options = resolve({ 'canister-url': canister.url, 'export-key': EXPORT_KEY });
    expect(options).toMatchObject({
      mode: 'export',
      pageSize: 200,
      concurrency: 4,
      requestTimeout: 60_000,
      retries: 5,
      retryDelay: 1_000,
      retryMaxDelay: 30_000,
      network: 'ic',
      dfx: 'dfx',
    });
    const custom = resolve({
      mode: 'snapshot',
      canisters: 'hub, attestation',
      'snapshot-replace': 'hub=0001',
      'vault-ids': 'default\nwork',
      'page-size': '500',
      'request-timeout': '2m',
    });
    expect(custom).toMatchObject({ mode: 'snapshot', canisters: ['hub', 'attestation'], snapshotReplace: ['hub=0001'], vaultIds: ['default', 'work'], pageSize: 500, requestTimeout: 120_000 });
  });

  it('refuses out-of-range numbers and unknown modes, naming the input', () => {
    expect(() => resolve({ 'page-size': '501' })).toThrow('Invalid option `page-size`');
    expect(() => resolve({ concurrency: '0' })).toThrow('Invalid option `concurrency`');
    expect(() => resolve({ mode: 'backup' })).toThrow('one of `export`, `snapshot`, `import-ktb1`');
  });

  it('marks the export key, gateway secret, KTB1 key, signing key and artifact token secret', () => {
    const secret = Object.entries(canisterExportOperation.options)
      .filter(([, def]) => def.secret)
      .map(([name]) => name)
      .sort();
    expect(secret).toEqual(['artifact-token', 'export-key', 'gateway-secret', 'ktb1-key', 'notify-ping', 'notify-webhook', 'passphrase', 'signing-key', 'signing-key-passphrase']);
  });
});

describe('canisterExport', () => {
  it('export mode hands a canister source to the pipeline and publishes completeness', async () => {
    const seen: Parameters<typeof folderRunner>[0] = {};
    const context = testContext();
    const outcome = await canisterExport(resolve({ 'canister-url': canister.url, 'export-key': EXPORT_KEY }), context, folderRunner(seen));
    expect(outcome).toMatchObject({ ok: true, outputs: { 'backup-id': 'stored-by-test-runner', complete: true } });
    expect(seen.source).toMatchObject({ kind: 'canister', payloadFile: expect.stringMatching(/^export\.ndjson\.(zst|gz)$/) });
    const { checks } = await verifyCanisterArchive(seen.file!, seen.manifest!);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(seen.manifest).toMatchObject({ counts: { users: 2, vaults: 2, notes: 1, proposals: 1 } });
  });

  it('fails the run when the export was stored incomplete (users kept appearing)', async () => {
    let n = 0;
    const busy = await startProtocolPeer({
      dataset: staticDataset({ a: { vaults: [] } }),
      exportKey: EXPORT_KEY,
      onRequest(route, _info, self) {
        // A new user on every reading of the index after the first.
        if (route === 'index' && self.count('index') > 1) self.dataset.addUser!(`new${++n}`, { vaults: [] });
      },
    });
    try {
      const seen: Parameters<typeof folderRunner>[0] = {};
      const context = testContext();
      const outcome = await canisterExport(resolve({ 'canister-url': busy.url, 'export-key': EXPORT_KEY }), context, folderRunner(seen));
      expect(outcome.ok).toBe(false);
      expect(outcome.outputs.complete).toBe(false);
      expect(outcome.failure).toContain('incomplete: 1 user listed by the user index at the end were not exported');
      expect(seen.manifest).toMatchObject({ complete: false, usersMissing: 1 });
      const { checks } = await verifyCanisterArchive(seen.file!, seen.manifest!);
      expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['export complete']);
    } finally {
      await busy.close();
    }
  });

  it('runs through the shared backup pipeline by default: payload, stats and manifest written last', async () => {
    const outcome = await canisterExport(resolve({ 'canister-url': canister.url, 'export-key': EXPORT_KEY, name: 'hub-default' }), testContext());
    expect(outcome).toMatchObject({ ok: true, outputs: { complete: true } });
    const id = outcome.outputs['backup-id'] as string;
    const files = readdirSync(join(folder.path, 'store', 'hub-default', id)).sort();
    expect(files).toHaveLength(3);
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'stats.json']));
    expect(files.some((f) => /^export\.ndjson\.(zst|gz)$/.test(f))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(folder.path, 'store', 'hub-default', id, 'manifest.json'), 'utf8')) as { source: { kind: string; complete: boolean } };
    expect(manifest.source).toMatchObject({ kind: 'canister', complete: true });
  });

  it('asks for a store when the mode stores a backup', async () => {
    const options = { ...resolve({ 'canister-url': canister.url, 'export-key': EXPORT_KEY }), store: undefined };
    const error = await canisterExport(options, testContext(), folderRunner({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).fix).toContain('store');
  });

  it('snapshot mode without download needs no store and outputs the snapshot ids', async () => {
    const context = testContext(dfx.env());
    const options = { ...resolve({ mode: 'snapshot', canisters: 'hub' }), store: undefined };
    const outcome = await canisterExport(options, context, folderRunner({}));
    expect(outcome).toMatchObject({ ok: true, outputs: { 'snapshot-ids': 'hub=00000000006875620101' } });
    expect(context.reporter.summaries.join('\n')).toContain('| hub | `00000000006875620101` |');
  });

  it('snapshot mode with download stores the snapshots through the pipeline', async () => {
    const seen: Parameters<typeof folderRunner>[0] = {};
    const outcome = await canisterExport(
      resolve({ mode: 'snapshot', canisters: 'hub', 'snapshot-download': join(folder.path, 'snapshots') }),
      testContext(dfx.env()),
      folderRunner(seen),
    );
    expect(outcome).toMatchObject({ ok: true, outputs: { 'backup-id': 'stored-by-test-runner', 'snapshot-ids': 'hub=00000000006875620101' } });
    expect(seen.source?.kind).toBe('canister-snapshot');
    const { checks } = await verifyCanisterArchive(seen.file!, seen.manifest!);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('snapshot mode refuses without canisters', async () => {
    await expect(canisterExport({ ...resolve({ mode: 'snapshot' }), store: undefined }, testContext(dfx.env()))).rejects.toThrow('No canisters to snapshot.');
  });
});
