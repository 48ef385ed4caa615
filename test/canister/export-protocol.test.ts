import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CanisterAuthError,
  CanisterExportNotConfiguredError,
  CanisterGatewayAuthError,
  CanisterRequestError,
  createCanisterSource,
  describeError,
  OptionError,
  type CanisterSourceOptions,
} from '@lifeboat/core';
import { startProtocolPeer, staticDataset, type PeerUser, type ProtocolPeer, type ProtocolPeerOptions } from './protocol-peer.mjs';
import { drainSource, readRecords, tempFolder, testContext } from './support.js';

// Every test here talks to the protocol-level peer in protocol-peer.mjs: a loopback HTTP
// server speaking the hub canister's documented operator export protocol (no canister can run
// here).

const EXPORT_KEY = 'op-export-key-5f2c9a71';
const GATEWAY_SECRET = 'gateway-secret-b81e44d0';

/** Seven tenants: none, one or two vaults; proposals shared between vaults; one proposal body that is not JSON. */
function tenants(): Record<string, PeerUser> {
  const users: Record<string, PeerUser> = {};
  for (let i = 1; i <= 7; i++) {
    const id = `u0${i}`;
    const notes = (vault: string, n: number) =>
      Array.from({ length: n }, (_, k) => ({ path: `${vault}/n${k}.md`, frontmatter: `title: ${id} ${k}`, body: `body ${id} ${vault} ${k}` }));
    const shared = { proposal_id: `${id}-shared`, body: { proposal_id: `${id}-shared`, body: 'shared', status: 'proposed' } };
    if (i === 1) users[id] = { vaults: [] };
    else if (i % 2 === 0)
      users[id] = { vaults: [{ id: 'default', label: 'Default', notes: notes('default', i), proposals: [shared, { proposal_id: `${id}-a`, body: { proposal_id: `${id}-a` } }] }] };
    else
      users[id] = {
        vaults: [
          { id: 'default', label: 'Default', notes: notes('default', i), proposals: [shared] },
          { id: 'work', label: 'Work', notes: notes('work', 2), proposals: [shared, { proposal_id: `${id}-w`, body: i === 5 ? 'not json {' : { proposal_id: `${id}-w` } }] },
        ],
      };
  }
  return users;
}

/** Expected totals, computed from the dataset the way the protocol defines them. */
function expectedCounts(users: Record<string, PeerUser>) {
  let vaults = 0;
  let notes = 0;
  let proposals = 0;
  for (const user of Object.values(users)) {
    vaults += Math.max(1, user.vaults.length);
    for (const vault of user.vaults) notes += vault.notes.length;
    proposals += new Set(user.vaults.flatMap((v) => (v.proposals ?? []).map((p) => p.proposal_id))).size;
  }
  return { users: Object.keys(users).length, vaults, notes, proposals };
}

function options(peer: ProtocolPeer, extra: Partial<CanisterSourceOptions> = {}): CanisterSourceOptions {
  return {
    canisterUrl: peer.url,
    exportKey: EXPORT_KEY,
    pageSize: 2,
    concurrency: 3,
    requestTimeout: 5_000,
    retries: 4,
    retryDelay: 5,
    retryMaxDelay: 20,
    compression: 'gzip',
    ...extra,
  };
}

const peers: ProtocolPeer[] = [];
let folder: Awaited<ReturnType<typeof tempFolder>>;

async function peer(extra: Partial<ProtocolPeerOptions> = {}): Promise<ProtocolPeer> {
  const started = await startProtocolPeer({ dataset: staticDataset(tenants()), exportKey: EXPORT_KEY, ...extra });
  peers.push(started);
  return started;
}

beforeAll(async () => {
  folder = await tempFolder();
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await folder.remove();
});

let fileNumber = 0;
const nextFile = () => join(folder.path, `export-${++fileNumber}`);

describe('canister export against the protocol peer', () => {
  it('pages the index to the end and exports every user, vault, note and proposal', async () => {
    const canister = await peer();
    const context = testContext();
    const source = createCanisterSource(options(canister), context);
    expect(source.kind).toBe('canister');
    expect(source.payloadFile).toBe('export.ndjson.gz');
    const file = nextFile();
    const result = await drainSource(source, file);

    const users = tenants();
    const expected = expectedCounts(users);
    const records = await readRecords(file, 'gzip');
    expect(records[0]).toMatchObject({ type: 'header', format: 'lifeboat-canister-export', format_version: 1, mode: 'operator', canister_url: canister.url });
    expect(records[0]!.index).toMatchObject({ format_version: 3 });
    const trailer = records.at(-1)!;
    expect(trailer).toMatchObject({ type: 'trailer', complete: true, counts: expected, invalid_proposals: 1, users_appeared: [], users_vanished: [] });

    // One user record per tenant, before that tenant's other records.
    const userRecords = records.filter((r) => r.type === 'user');
    expect(userRecords.map((r) => r.user_id).sort()).toEqual(Object.keys(users).sort());
    const seen = new Set<string>();
    for (const record of records.slice(1, -1)) {
      if (record.type === 'user') seen.add(record.user_id);
      else expect(seen.has(record.user_id), `${record.type} of ${record.user_id} before its user record`).toBe(true);
    }
    // Notes exactly as served; the tenant without vaults has the `default` vault.
    for (const [id, user] of Object.entries(users)) {
      const vaults = records.filter((r) => r.type === 'vault' && r.user_id === id);
      if (user.vaults.length === 0) expect(vaults).toEqual([{ type: 'vault', user_id: id, vault_id: 'default', notes: [] }]);
      for (const vault of user.vaults) {
        expect(vaults.find((v) => v.vault_id === vault.id)).toEqual({ type: 'vault', user_id: id, vault_id: vault.id, label: vault.label, notes: vault.notes });
      }
    }
    // Proposals de-duplicated per user; the body that is not JSON is kept as text, marked.
    const proposals = records.filter((r) => r.type === 'proposal');
    expect(proposals).toHaveLength(expected.proposals);
    expect(new Set(proposals.map((p) => `${p.user_id}/${p.proposal_id}`)).size).toBe(expected.proposals);
    expect(proposals.find((p) => p.proposal_id === 'u05-w')).toMatchObject({ invalid_json: true, raw: 'not json {' });
    expect(proposals.find((p) => p.proposal_id === 'u04-a')).toMatchObject({ proposal: { proposal_id: 'u04-a' } });
    expect(canister.count('proposal')).toBe(expected.proposals);

    // Index read in pages of 2 (4 pages), twice: the walk and the re-read at the end.
    expect(canister.count('index')).toBe(2 * Math.ceil(Object.keys(users).length / 2));
    expect(canister.requests.every((r) => r.status === 200)).toBe(true);
    expect(canister.requests.filter((r) => r.route === 'index').map((r) => r.query.limit)).toEqual(Array(8).fill('2'));

    expect(result.manifest).toEqual({
      kind: 'canister',
      mode: 'operator',
      canisterUrl: canister.url,
      format: 'lifeboat-canister-export',
      formatVersion: 1,
      counts: expected,
      complete: true,
      usersAppeared: 0,
      usersVanished: 0,
      usersMissing: 0,
      invalidProposals: 1,
      compression: 'gzip',
      compressor: 'node:zlib',
      indexFormatVersion: 3,
    });
    const stats = result.stats as { users: Record<string, { vaults: number; notes: number; proposals: number }>; retries: number };
    expect(stats.users.u03).toEqual({ vaults: 2, notes: 5, proposals: 2, invalidProposals: 0 });
    expect(stats.retries).toBe(0);
  });

  it('compresses with zstd when available and names the payload after it', async () => {
    const canister = await peer();
    const source = createCanisterSource(options(canister, { compression: 'auto' }), testContext());
    expect(source.payloadFile).toBe('export.ndjson.zst');
    const file = nextFile();
    const result = await drainSource(source, file);
    expect(result.manifest.compression).toBe('zstd');
    const records = await readRecords(file, 'zstd');
    expect(records.at(-1)).toMatchObject({ type: 'trailer', complete: true, counts: expectedCounts(tenants()) });
  });

  it('exports a user created mid-walk that shifts the cursor, without duplicates', async () => {
    let added = false;
    const canister = await peer({
      onRequest(route, _info, self) {
        // After the first index page: a new user sorting first shifts every later id by one.
        if (route === 'index' && self.count('index') === 2 && !added) {
          added = true;
          self.dataset.addUser!('a00', { vaults: [{ id: 'default', notes: [{ path: 'new.md', frontmatter: '', body: 'new' }] }] });
        }
      },
    });
    const context = testContext();
    const file = nextFile();
    const result = await drainSource(createCanisterSource(options(canister), context), file);
    const records = await readRecords(file, 'gzip');
    const userIds = records.filter((r) => r.type === 'user').map((r) => r.user_id);
    const final = canister.dataset.listUserIds();
    expect(userIds.sort()).toEqual(final);
    expect(new Set(userIds).size).toBe(userIds.length);
    expect(records.at(-1)).toMatchObject({ complete: true, users_appeared: ['a00'], users_vanished: [] });
    expect(result.manifest).toMatchObject({ complete: true, usersAppeared: 1, usersVanished: 0, counts: { users: final.length } });
    expect(context.reporter.lines.some((l) => l.level === 'warning' && /1 user appeared/.test(l.message))).toBe(true);
  });

  it('catches up a user skipped because another was deleted mid-walk, and reports the vanished one', async () => {
    let removed = false;
    const canister = await peer({
      onRequest(route, _info, self) {
        if (route === 'index' && self.count('index') === 2 && !removed) {
          removed = true;
          self.dataset.removeUser!('u01');
        }
      },
    });
    const file = nextFile();
    const result = await drainSource(createCanisterSource(options(canister), testContext()), file);
    const records = await readRecords(file, 'gzip');
    const userIds = records.filter((r) => r.type === 'user').map((r) => r.user_id);
    // u03 moved to offset 1 and was not on any page of the walk; the re-read found it.
    expect(userIds).toContain('u03');
    expect(userIds.sort()).toEqual(['u01', ...canister.dataset.listUserIds()]);
    expect(records.at(-1)).toMatchObject({ complete: true, users_vanished: ['u01'] });
    expect(result.manifest).toMatchObject({ complete: true, usersVanished: 1, usersMissing: 0 });
  });

  it('keeps the canister load bounded by the concurrency setting', async () => {
    const canister = await peer({ latencyMs: 15 });
    await drainSource(createCanisterSource(options(canister, { concurrency: 3 }), testContext()), nextFile());
    expect(canister.maxInFlight).toBeLessThanOrEqual(3);
    expect(canister.maxInFlight).toBeGreaterThan(1);
  });
});

describe('failures that no retry can fix fail at once', () => {
  it('a wrong export key: 401 on the first index request, nothing else asked', async () => {
    const canister = await peer();
    const context = testContext();
    const source = createCanisterSource(options(canister, { exportKey: 'wrong-key-123456' }), context);
    const error = await source.start(new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterAuthError);
    expect((error as CanisterAuthError).fix).toContain('admin_set_operator_export_secret');
    expect(canister.requests.map((r) => [r.route, r.status])).toEqual([['index', 401]]);
    expect(describeError(error)).not.toContain('wrong-key-123456');
    expect(context.reporter.text()).not.toContain('wrong-key-123456');
  });

  it('a gateway that wants X-Gateway-Auth: 403 GATEWAY_AUTH_REQUIRED names the missing secret', async () => {
    const canister = await peer({ gatewaySecret: GATEWAY_SECRET });
    const error = await createCanisterSource(options(canister), testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterGatewayAuthError);
    expect((error as Error).message).toContain('requires gateway authentication');
    expect((error as CanisterGatewayAuthError).fix).toContain('gateway-secret');
    expect(canister.statuses('index')).toEqual([403]);
  });

  it('a wrong gateway secret is named as rejected, and the right one works on every route', async () => {
    const canister = await peer({ gatewaySecret: GATEWAY_SECRET });
    const error = await createCanisterSource(options(canister, { gatewaySecret: 'not-the-gateway-secret' }), testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterGatewayAuthError);
    expect((error as Error).message).toContain('rejected the gateway secret');
    expect(canister.statuses('index')).toEqual([403]);

    const result = await drainSource(createCanisterSource(options(canister, { gatewaySecret: GATEWAY_SECRET }), testContext()), nextFile());
    expect(result.manifest.counts).toEqual(expectedCounts(tenants()));
    expect(canister.requests.slice(1).every((r) => r.status === 200)).toBe(true);
  });

  it('an export secret never set on the canister: 503 not configured shows the dfx command', async () => {
    const canister = await peer({ exportKey: undefined });
    const error = await createCanisterSource(options(canister), testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterExportNotConfiguredError);
    expect(describeError(error)).toContain("dfx canister call hub admin_set_operator_export_secret '(\"<secret>\")' --network ic");
    expect(canister.statuses('index')).toEqual([503]);
  });

  it('a 400 on a per-user route is not retried and fails the run with no trailer', async () => {
    const canister = await peer({ faults: [{ route: 'export', status: 400, times: 1, body: { error: 'Bad vault', code: 'BAD_REQUEST' } }] });
    const file = nextFile();
    const error = await drainSource(createCanisterSource(options(canister, { concurrency: 1 }), testContext()), file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterRequestError);
    expect((error as CanisterRequestError).status).toBe(400);
    expect((error as Error).message).toContain('GET /api/v1/export failed with HTTP 400 (BAD_REQUEST: Bad vault) after 1 attempt');
    expect(canister.statuses('export')).toEqual([400]);
  });
});

describe('transient failures are retried, and only they', () => {
  it('429 and 5xx bursts are retried with backoff until they pass', async () => {
    const canister = await peer({
      faults: [
        { route: 'vaults', status: 429, times: 3, retryAfter: 0 },
        { route: 'export', status: 500, times: 2 },
        { route: 'proposals', status: 503, times: 1, body: { error: 'Overloaded', code: 'OVERLOADED' } },
        { route: 'index', status: 502, times: 1 },
      ],
    });
    const context = testContext();
    const result = await drainSource(createCanisterSource(options(canister), context), nextFile());
    const expected = expectedCounts(tenants());
    expect(result.manifest).toMatchObject({ complete: true, counts: expected });
    // Each route: its normal requests plus one per injected failure, no more.
    expect(canister.count('vaults')).toBe(expected.users + 3);
    expect(canister.count('export')).toBe(expected.vaults + 2);
    expect(canister.count('proposals')).toBe(expected.vaults + 1);
    expect(canister.count('index')).toBe(8 + 1);
    expect(canister.statuses('vaults').slice(0, 3)).toEqual([429, 429, 429]);
    expect((result.stats as { retries: number }).retries).toBe(7);
    const retryLines = context.reporter.lines.filter((l) => l.message.startsWith('Retrying'));
    expect(retryLines).toHaveLength(7);
    expect(retryLines.some((l) => l.message.includes('GET /api/v1/vaults after HTTP 429'))).toBe(true);
  });

  it('honours Retry-After', async () => {
    const canister = await peer({ faults: [{ route: 'index', status: 429, times: 1, retryAfter: 1 }] });
    const context = testContext();
    await drainSource(createCanisterSource(options(canister), context), nextFile());
    expect(context.reporter.lines.map((l) => l.message)).toContain(
      'Retrying GET /api/v1/operator/export after HTTP 429 in 1.00s (attempt 2 of 5).',
    );
  });

  it('responses slower than the per-request timeout are abandoned and retried', async () => {
    const canister = await peer({ faults: [{ route: 'export', delayMs: 2_000, times: 2 }] });
    const context = testContext();
    const result = await drainSource(createCanisterSource(options(canister, { requestTimeout: 300 }), context), nextFile());
    expect(result.manifest.counts).toEqual(expectedCounts(tenants()));
    expect(canister.count('export')).toBe(expectedCounts(tenants()).vaults + 2);
    expect(context.reporter.lines.filter((l) => l.message.includes('after a timeout'))).toHaveLength(2);
  });

  it('dropped connections are retried', async () => {
    const canister = await peer({ faults: [{ route: 'proposals', reset: true, times: 2 }] });
    const result = await drainSource(createCanisterSource(options(canister), testContext()), nextFile());
    expect(result.manifest.counts).toEqual(expectedCounts(tenants()));
    expect(canister.statuses('proposals').filter((s) => s === -1)).toHaveLength(2);
  });

  it('gives up after the configured retries with what to do, and the stream errors', async () => {
    const canister = await peer({ faults: [{ route: 'vaults', status: 500, times: 100 }] });
    const source = createCanisterSource(options(canister, { retries: 2, concurrency: 1 }), testContext());
    const run = await source.start(new AbortController().signal);
    const streamError = new Promise<unknown>((resolve) => run.stream.on('error', resolve));
    run.stream.resume();
    const error = await run.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterRequestError);
    expect((error as Error).message).toBe('GET /api/v1/vaults failed with HTTP 500 (INJECTED: Injected failure) after 3 attempts.');
    expect((error as CanisterRequestError).fix).toContain('retries');
    expect(await streamError).toBeInstanceOf(Error);
    expect(canister.count('vaults')).toBe(3);
  });

  it('a timeout that never ends gives up after the retries', async () => {
    const canister = await peer({ faults: [{ route: 'index', delayMs: 1_000, times: 10 }] });
    const error = await createCanisterSource(options(canister, { requestTimeout: 100, retries: 1 }), testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanisterRequestError);
    expect((error as Error).message).toContain('timed out 2 times');
    expect(canister.count('index')).toBe(2);
  });
});

describe('abort and backpressure', () => {
  it('abort stops the walk: result rejects and no request is made afterwards', async () => {
    const canister = await peer({ latencyMs: 10 });
    const source = createCanisterSource(options(canister, { concurrency: 2 }), testContext());
    const run = await source.start(new AbortController().signal);
    run.stream.on('error', () => {});
    run.stream.resume();
    while (canister.count('export') < 2) await delay(5);
    run.abort(new Error('downstream failed'));
    await expect(run.result).rejects.toThrow('downstream failed');
    const after = canister.requests.length;
    await delay(300);
    expect(canister.requests.length).toBe(after);
    expect(canister.count('export')).toBeLessThan(expectedCounts(tenants()).vaults);
  });

  it('aborting the signal given to start stops the walk', async () => {
    const canister = await peer({ latencyMs: 10 });
    const controller = new AbortController();
    const run = await createCanisterSource(options(canister, { concurrency: 2 }), testContext()).start(controller.signal);
    run.stream.on('error', () => {});
    run.stream.resume();
    while (canister.count('vaults') < 1) await delay(5);
    controller.abort(new Error('pipeline gave up'));
    await expect(run.result).rejects.toThrow('pipeline gave up');
    expect(canister.count('vaults')).toBeLessThan(expectedCounts(tenants()).users);
  });

  it('a consumer that stops reading stops the walk instead of buffering the export', async () => {
    // 200 tenants with incompressible notes (~64 KiB each), so buffers fill with few records.
    const users: Record<string, PeerUser> = {};
    for (let i = 0; i < 200; i++) {
      users[`t${String(i).padStart(3, '0')}`] = {
        vaults: [{ id: 'default', notes: [{ path: 'big.md', frontmatter: '', body: randomBytes(48 * 1024).toString('base64') }] }],
      };
    }
    const canister = await startProtocolPeer({ dataset: staticDataset(users), exportKey: EXPORT_KEY });
    peers.push(canister);
    const source = createCanisterSource(options(canister, { pageSize: 500, concurrency: 4 }), testContext());
    const run = await source.start(new AbortController().signal);
    // Nobody reads: wait until the walk has stalled.
    let last = -1;
    while (canister.count('export') !== last) {
      last = canister.count('export');
      await delay(150);
    }
    expect(last).toBeLessThan(40);
    // Reading resumes the walk, to the end.
    const file = nextFile();
    const { createWriteStream } = await import('node:fs');
    const { pipeline } = await import('node:stream/promises');
    await pipeline(run.stream, createWriteStream(file));
    const result = await run.result;
    expect(result.manifest.counts).toMatchObject({ users: 200, vaults: 200, notes: 200 });
  });
});

describe('modes and options', () => {
  it('single-user mode exports one tenant with X-User-Id and the given vaults, without the operator key', async () => {
    const canister = await peer({ exportKey: undefined });
    const file = nextFile();
    const result = await drainSource(
      createCanisterSource(options(canister, { exportKey: undefined, userId: 'u03', vaultIds: ['work'] }), testContext()),
      file,
    );
    const records = await readRecords(file, 'gzip');
    expect(records.map((r) => r.type)).toEqual(['header', 'user', 'vault', 'proposal', 'proposal', 'trailer']);
    expect(records[0]).toMatchObject({ mode: 'single-user' });
    expect(records[2]).toMatchObject({ user_id: 'u03', vault_id: 'work', notes: tenants().u03!.vaults[1]!.notes });
    expect(canister.count('index')).toBe(0);
    // One listing, as the credentials check before any byte is produced.
    expect(canister.count('vaults')).toBe(1);
    expect(canister.requests.every((r) => r.userId === 'u03')).toBe(true);
    expect(result.manifest).toMatchObject({ mode: 'single-user', complete: true, counts: { users: 1, vaults: 1, notes: 2, proposals: 2 } });
  });

  it('single-user mode without vault ids lists the tenant\'s vaults', async () => {
    const canister = await peer({ exportKey: undefined });
    const result = await drainSource(createCanisterSource(options(canister, { exportKey: undefined, userId: 'u05' }), testContext()), nextFile());
    expect(result.manifest.counts).toEqual({ users: 1, vaults: 2, notes: 7, proposals: 2 });
    expect(canister.count('vaults')).toBe(1);
  });

  it('warns on a non-raw icp0.io host', () => {
    const context = testContext();
    const source = createCanisterSource({ ...options({ url: '' } as ProtocolPeer), canisterUrl: 'https://ryjl3-tyaaa-aaaaa-aaaba-cai.icp0.io' }, context);
    expect(source.defaultName).toBe('ryjl3-tyaaa-aaaaa-aaaba-cai');
    expect(context.reporter.lines).toContainEqual({
      level: 'warning',
      message:
        'canister-url host ryjl3-tyaaa-aaaaa-aaaba-cai.icp0.io is not the raw host: it answers 503 for /api/v1/*. Use https://ryjl3-tyaaa-aaaaa-aaaba-cai.raw.icp0.io instead.',
    });
    const raw = testContext();
    createCanisterSource({ ...options({ url: '' } as ProtocolPeer), canisterUrl: 'https://ryjl3-tyaaa-aaaaa-aaaba-cai.raw.icp0.io' }, raw);
    expect(raw.reporter.lines.filter((l) => l.level === 'warning')).toEqual([]);
  });

  it.each([
    [{ canisterUrl: undefined }, 'No canister URL given.'],
    [{ canisterUrl: 'not a url' }, "canister-url 'not a url' is not a URL."],
    [{ canisterUrl: 'http://abc.raw.icp0.io' }, 'canister-url must use https'],
    [{ canisterUrl: 'https://user:pw@abc.raw.icp0.io' }, 'canister-url contains credentials.'],
    [{ exportKey: undefined }, 'No operator export key given.'],
    [{ vaultIds: ['default'] }, '`vault-ids` is set without `user-id`.'],
  ] as [Partial<CanisterSourceOptions>, string][])('refuses bad options with what to fix: %o', (bad, message) => {
    const base = { ...options({ url: 'https://abc.raw.icp0.io' } as ProtocolPeer), ...bad };
    let error: unknown;
    try {
      createCanisterSource(base, testContext());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).message).toContain(message);
    expect((error as OptionError).fix).toBeTruthy();
  });

  it('never lets the export key or gateway secret out: logs, manifest, stats, archive', async () => {
    const canister = await peer({ gatewaySecret: GATEWAY_SECRET, faults: [{ route: 'vaults', status: 429, times: 1, retryAfter: 0 }] });
    const context = testContext();
    const file = nextFile();
    const result = await drainSource(createCanisterSource(options(canister, { gatewaySecret: GATEWAY_SECRET }), context), file);
    const everything = [context.reporter.text(), JSON.stringify(result), JSON.stringify(await readRecords(file, 'gzip'))].join('\n');
    expect(everything).not.toContain(EXPORT_KEY);
    expect(everything).not.toContain(GATEWAY_SECRET);
  });
});
