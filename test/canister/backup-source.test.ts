import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupFromSource, createCanisterSource, describeError, type CanisterSourceOptions } from '@lifeboat/core';
import { startProtocolPeer, staticDataset, type ProtocolPeer } from './protocol-peer.mjs';
import { tempFolder, testContext } from './support.js';

// The canister is a protocol-level peer: a loopback HTTP server speaking the canister's
// documented operator export protocol.

const EXPORT_KEY = 'backup-source-export-key';
const PASSPHRASE = 'a long enough canister passphrase';
let folder: Awaited<ReturnType<typeof tempFolder>>;
let canister: ProtocolPeer;

beforeAll(async () => {
  folder = await tempFolder();
  const users = { alice: { vaults: [{ id: 'default', notes: [{ path: 'a.md', frontmatter: '', body: 'a' }] }] } };
  canister = await startProtocolPeer({ dataset: staticDataset(users), exportKey: EXPORT_KEY });
});
afterAll(async () => {
  await canister?.close();
  await folder?.remove();
});

function sourceOptions(): CanisterSourceOptions {
  return { canisterUrl: canister.url, exportKey: EXPORT_KEY, pageSize: 5, concurrency: 2, requestTimeout: 5000, retries: 0, retryDelay: 10, retryMaxDelay: 10, compression: 'gzip' };
}

describe('backupFromSource', () => {
  it('stores a canister export and summarises it like a database backup', async () => {
    const context = testContext();
    const store = join(folder.path, 'store');
    const outcome = await backupFromSource(createCanisterSource(sourceOptions(), context), { store, createStore: true, name: 'hub', encryption: 'openpgp', passphrase: PASSPHRASE }, context);
    expect(outcome.ok).toBe(true);
    const id = String(outcome.outputs['backup-id']);
    expect((await readdir(join(store, 'hub', id))).sort()).toEqual(['export.ndjson.gz.pgp', 'manifest.json', 'stats.json.pgp']);
    const summary = context.reporter.summaries.join('\n');
    expect(summary).toContain('## Lifeboat canister backup');
    expect(summary).toContain('Encrypted (OpenPGP) to a passphrase.');
    expect(summary).toContain(`| hub | \`${id}\` |`);
    expect(summary).toContain(`\`${String(outcome.outputs.sha256).slice(0, 16)}…\``);
    expect(summary).not.toContain(PASSPHRASE);
  });

  it('refuses an unusable signing key before the export starts, storing nothing', async () => {
    const context = testContext();
    const store = join(folder.path, 'unsigned');
    const options = { store, name: 'hub', encryption: 'openpgp' as const, passphrase: PASSPHRASE, signingKey: 'not an armored key' };
    const before = canister.requests.length;
    const error = await backupFromSource(createCanisterSource(sourceOptions(), context), options, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(describeError(error)).toMatch(/key/i);
    expect(canister.requests.length).toBe(before);
    await expect(readdir(store)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
