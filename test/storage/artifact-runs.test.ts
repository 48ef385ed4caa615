/**
 * `artifact://` across workflow runs: with `artifact-token`, the store reads (and retention
 * deletes) the artifacts of earlier runs through the Actions REST API. GitHub cannot run here:
 * the artifact service and the REST API are a protocol-level peer (artifact-service-peer.ts)
 * whose `newRun()` ends a run. The drill is real: a real PostgreSQL backed up with real gpg in
 * one run, drilled in the next, gated in a third.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  createContext,
  describeError,
  drill,
  drillOperation,
  gate,
  gateOperation,
  MemoryReporter,
  objectSource,
  openStore,
  resolveOptions,
  StorageError,
  UnsupportedError,
  type RunContext,
} from '@lifeboat/core';
import { artifactDigest, startArtifactServicePeer, useArtifactPeerEnvironment, type ArtifactServicePeer } from './artifact-service-peer.js';
import { failure, listAll } from './helpers.js';
import { backupOptions } from '../backup/support.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { createSample } from '../postgres/sample.js';

let peer: ArtifactServicePeer;
let tempDir: string;
let restoreEnvironment: (() => void) | undefined;

beforeAll(async () => {
  peer = await startArtifactServicePeer();
  tempDir = mkdtempSync(join(tmpdir(), 'lifeboat-artifact-runs-'));
  restoreEnvironment = useArtifactPeerEnvironment(peer, tempDir);
});
afterAll(async () => {
  restoreEnvironment?.();
  await peer?.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

function actionContext(): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'action', process.env), tempDir, reporter };
}

const withToken = (prefix: string, token = peer.restToken) => openStore({ store: `artifact://${prefix}`, artifactToken: token }, actionContext());

describe('artifact store across workflow runs, against protocol-level peers of the artifact service and the Actions REST API', () => {
  it('sees, reads and digest-checks the artifacts of an earlier run only when given artifact-token', async () => {
    const first = await withToken('runs');
    await first.put('db/b1/manifest.json', Readable.from(['{"n":1}']));
    await first.put('db/b1/payload.pgp', Readable.from([Buffer.alloc(70_000, 7)]));
    peer.newRun();

    const blind = await openStore({ store: 'artifact://runs' }, actionContext());
    expect(await listAll(blind)).toEqual([]);
    expect((await blind.probe()).notes.join(' ')).toContain('without `artifact-token`, backups made by other runs are invisible');

    const later = await withToken('runs');
    expect((await later.probe()).notes).toEqual([]);
    expect((await listAll(later)).map((o) => [o.key, o.size])).toEqual([
      ['db/b1/manifest.json', 7],
      ['db/b1/payload.pgp', 70_000],
    ]);
    expect(await later.head('db/b1/manifest.json')).toMatchObject({ key: 'db/b1/manifest.json', size: 7 });
    expect(await text(await later.get('db/b1/manifest.json'))).toBe('{"n":1}');
    // Downloaded through the REST API's redirect, not the artifact service (which no longer has it).
    expect(peer.restCalls.some((call) => /^GET \/repos\/acme\/shop\/actions\/artifacts\/\d+\/zip$/.test(call))).toBe(true);

    // A blob that does not match the digest GitHub recorded is refused.
    const stored = peer.earlier.find((a) => a.name === 'runs%2Fdb%2Fb1%2Fmanifest.json')!;
    stored.content = Buffer.from('{"n":2}');
    const tampered = await failure((await withToken('runs')).get('db/b1/manifest.json'));
    expect(tampered).toBeInstanceOf(StorageError);
    expect((tampered as StorageError).code).toBe('artifact-digest-mismatch');
  });

  it('lists every page, and a name in several runs (a re-run job) is read from the newest', async () => {
    const base = { mimeType: 'application/octet-stream', finalized: true, size: 1 };
    for (let i = 0; i < 150; i++) {
      const content = Buffer.from(String(i % 10));
      peer.earlier.push({ ...base, id: 100_000 + i, runId: 42, name: `paged%2Fk${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), content, digest: artifactDigest(content) });
    }
    const newer = Buffer.from('newer!');
    peer.earlier.push({ ...base, id: 100_500, runId: 43, name: 'paged%2Fk1', size: newer.length, createdAt: '2026-02-01T00:00:00.000Z', content: newer, digest: artifactDigest(newer) });

    const store = await withToken('paged');
    const calls = peer.restCalls.length;
    const keys = (await listAll(store)).map((o) => o.key);
    expect(keys).toHaveLength(150);
    expect(new Set(keys).size).toBe(150);
    expect(peer.restCalls.slice(calls).filter((c) => c.startsWith('GET /repos/acme/shop/actions/artifacts?'))).toEqual([
      'GET /repos/acme/shop/actions/artifacts?per_page=100&page=1',
      'GET /repos/acme/shop/actions/artifacts?per_page=100&page=2',
    ]);
    expect(await text(await store.get('k1'))).toBe('newer!');
    expect(await store.head('k1')).toMatchObject({ size: newer.length });
  });

  it('deletes in earlier runs with actions: write; without it, leaves them to GitHub\'s expiry (locked, not failed), naming the permission', async () => {
    const first = await withToken('prune');
    await first.put('old/a', Readable.from(['a']));
    await first.put('old/b', Readable.from(['b']));
    peer.newRun();

    const readOnly = await withToken('prune', peer.readOnlyToken);
    const refused = await readOnly.delete(['old/a']);
    expect(refused.deleted).toEqual([]);
    expect(refused.failed).toHaveLength(1);
    expect(refused.failed[0]).toMatchObject({ key: 'old/a', locked: true });
    expect(refused.failed[0]!.lockedBy).toContain('lacks `actions: write`');
    expect((await listAll(await withToken('prune'))).map((o) => o.key).sort()).toEqual(['old/a', 'old/b']);

    const writer = await withToken('prune');
    expect(await writer.delete(['old/a', 'old/never'])).toEqual({ deleted: ['old/a', 'old/never'], failed: [] });
    expect((await listAll(writer)).map((o) => o.key)).toEqual(['old/b']);
    expect(peer.earlier.some((a) => a.name === 'prune%2Fold%2Fa')).toBe(false);
  });

  it('a token GitHub refuses fails the probe naming actions: read; a token without GITHUB_REPOSITORY is refused', async () => {
    const error = await failure((await withToken('x', 'not-a-token')).probe());
    expect(error).toBeInstanceOf(StorageError);
    expect(describeError(error)).toContain('`artifact-token` is not accepted or lacks `actions: read`');
    expect(describeError(error)).not.toContain('not-a-token');

    const env = { ...process.env, GITHUB_REPOSITORY: undefined };
    const noRepository = await failure(openStore({ store: 'artifact://x', artifactToken: peer.restToken }, { ...createContext(new MemoryReporter(), 'action', env), tempDir }));
    expect(noRepository).toBeInstanceOf(UnsupportedError);
    expect(noRepository.message).toContain('GITHUB_REPOSITORY is not');
  });
});

describe('a drill reads a backup another workflow run stored as artifacts', () => {
  let pg: PgServer;
  let operator: GpgHome;
  let signer: GpgHome;

  beforeAll(async () => {
    [pg, operator, signer] = await Promise.all([startPostgres(), createGpgHome({ name: 'Operator' }), createGpgHome({ name: 'Signer', usage: 'sign' })]);
    await createSample(pg, 'app');
  });
  afterAll(async () => {
    await Promise.allSettled([pg?.stop(), operator?.cleanup(), signer?.cleanup()]);
  });

  it('nightly run backs up; the drill run, given artifact-token, drills it; the gate run sees both', async () => {
    const store = 'artifact://nightly';
    const made = await backup(
      backupOptions({
        'database-url': pg.url('app'),
        store,
        recipients: operator.publicKeyArmored,
        'signing-key': signer.secretKeyArmored,
        'signing-key-passphrase': signer.passphrase,
      }),
      actionContext(),
    );
    expect(made.failure).toBeUndefined();
    peer.newRun();

    const drillWith = (extra: Record<string, string>) =>
      resolveOptions(
        drillOperation,
        objectSource({
          store,
          name: 'app',
          identity: operator.secretKeyArmored,
          'identity-passphrase': operator.passphrase,
          'signing-public-key': signer.publicKeyArmored,
          'target-database-url': pg.url('postgres'),
          'evidence-dir': join(tempDir, 'evidence'),
          ...extra,
        }),
      );
    const blind = await drill(drillWith({}), actionContext());
    expect(blind.failure).toBeDefined();
    expect(describeError(blind.failure)).toMatch(/no complete backup|No backup/i);

    const ctx = actionContext();
    const drilled = await drill(drillWith({ 'artifact-token': peer.restToken }), ctx);
    expect(drilled.failure).toBeUndefined();
    expect(drilled.outputs.verdict).toBe('pass');
    expect(drilled.outputs['backup-id']).toBe(made.outputs['backup-id']);
    expect(ctx.reporter.lines.map((l) => l.message).join('\n')).not.toContain(peer.restToken);
    peer.newRun();

    const gated = await gate(
      resolveOptions(gateOperation, objectSource({ store, name: 'app', 'max-backup-age': '1h', 'max-drill-age': '1h', 'artifact-token': peer.restToken })),
      actionContext(),
    );
    expect(gated.failure).toBeUndefined();
    expect(gated.data).toMatchObject({ verdict: 'pass' });
    rmSync(join(tempDir, 'evidence'), { recursive: true, force: true });
  });
});
