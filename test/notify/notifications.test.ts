/**
 * Webhooks and healthchecks-style pings of backup, drill and gate runs, against a local HTTP
 * peer (node:http on loopback) that records every request, or answers 500, or never answers.
 * Real gate runs on a real folder store; the cancelled run is a stand-in operation (named so)
 * whose abort signal fires mid-way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  gate,
  gateOperation,
  objectSource,
  registerSecret,
  resolveOptions,
  withNotifications,
  type OperationOutcome,
  type RunContext,
} from '@lifeboat/core';
import { LocalStore } from '../../packages/core/src/storage/local/local-store.js';
import { freshFolder, testContext } from '../backup/support.js';
import { idAt, writeBackup, writeDrill } from '../catalog/fixtures.js';

type Behaviour = 'ok' | 'fail' | 'hang';
interface Seen {
  readonly path: string;
  readonly body: string;
  readonly contentType?: string;
}

let server: Server;
let base: string;
const seen: (Seen | 'run')[] = [];
const behaviour = new Map<string, Behaviour>();

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const path = request.url ?? '';
      seen.push({ path, body: Buffer.concat(chunks).toString('utf8'), contentType: request.headers['content-type'] });
      const how = [...behaviour.entries()].find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'ok';
      if (how === 'hang') return; // never answers
      response.writeHead(how === 'fail' ? 500 : 200, { 'content-type': 'text/plain' }).end(how === 'fail' ? 'boom' : 'OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen.length = 0;
  behaviour.clear();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const folders: string[] = [];
const FAST = { attempts: 2, timeoutMs: 300, backoffMs: 20 };
const paths = () => seen.map((s) => (s === 'run' ? 'run' : s.path));
const bodyOf = (path: string) => (seen.find((s) => s !== 'run' && s.path === path) as Seen | undefined)?.body ?? '';

/** A folder store holding a fresh backup of `app`, and, when asked, a passing drill of it. */
async function store(withDrill: boolean): Promise<string> {
  const folder = freshFolder();
  folders.push(folder);
  const s = new LocalStore(folder);
  const now = Date.now();
  const id = idAt(new Date(now - 3_600_000).toISOString());
  await writeBackup(s, 'app', id);
  if (withDrill) await writeDrill(s, 'app', { backupId: id, verdict: 'pass', finishedAt: new Date(now - 60_000).toISOString() });
  return folder;
}

function gateOptions(folder: string, notify: Record<string, string>) {
  return resolveOptions(gateOperation, objectSource({ store: folder, name: 'app', ...notify }), registerSecret);
}

/** The real gate, marking in the peer's log when it runs. */
const gateRun = (options: Parameters<typeof gate>[0], context: RunContext) => {
  seen.push('run');
  return gate(options, context);
};

describe('notifications of a gate run', () => {
  it('on success: start ping before the run, then the success ping and every webhook', async () => {
    const folder = await store(true);
    const ctx = testContext();
    const options = gateOptions(folder, { 'notify-ping': `${base}/ping/abc`, 'notify-webhook': `${base}/hook/one\n${base}/hook/two` });
    const outcome = await withNotifications('gate', gateRun, FAST)(options, ctx);
    expect(outcome.ok).toBe(true);
    expect(paths()[0]).toBe('/ping/abc/start');
    expect(paths()[1]).toBe('run');
    expect(paths().slice(2).sort()).toEqual(['/hook/one', '/hook/two', '/ping/abc']);
    const event = JSON.parse(bodyOf('/hook/one')) as Record<string, unknown>;
    expect(event).toMatchObject({ source: 'lifeboat', operation: 'gate', status: 'success', name: 'app', verdict: 'pass' });
    expect(event.text).toBe('✅ Lifeboat gate of app succeeded (pass).');
    expect(bodyOf('/ping/abc')).toBe('✅ Lifeboat gate of app succeeded (pass).');
    expect(ctx.reporter.lines.filter((l) => l.level === 'warning' && l.message.includes('notification'))).toEqual([]);
  });

  it('on failure: /fail ping and a failure event with the reason, and the same red outcome as without notifications', async () => {
    const folder = await store(false);
    const plain = await gate(gateOptions(folder, {}), testContext());
    const options = gateOptions(folder, { 'notify-ping': `${base}/ping/abc`, 'notify-webhook': `${base}/hook` });
    const outcome = await withNotifications('gate', gateRun, FAST)(options, testContext());
    expect(outcome.ok).toBe(false);
    // Ages may tick by a second between the two runs; everything else is the same.
    const same = (o: OperationOutcome) => ({ ok: o.ok, failure: o.failure, outputs: { ...o.outputs, 'backup-age-seconds': undefined } });
    expect(same(outcome)).toEqual(same(plain));
    expect(paths()[0]).toBe('/ping/abc/start');
    expect(paths().slice(2).sort()).toEqual(['/hook', '/ping/abc/fail']);
    expect(JSON.parse(bodyOf('/hook'))).toMatchObject({ status: 'failure', verdict: 'fail', failure: expect.stringContaining('No restore drill has run for `app`') });
    expect(bodyOf('/ping/abc/fail')).toContain('❌ Lifeboat gate of app failed (fail): Gate failed for app:');
  });

  it.each<[string, Behaviour, RegExp]>([
    ['answers 500', 'fail', /answered HTTP 500/],
    ['never answers', 'hang', /did not answer within 300 ms/],
  ])('a peer that %s is retried a bounded number of times, warned about, and changes nothing', async (_, how, problem) => {
    const folder = await store(false);
    behaviour.set('/', how);
    const ctx = testContext();
    const options = gateOptions(folder, { 'notify-ping': `${base}/ping/abc`, 'notify-webhook': `${base}/hook` });
    const started = Date.now();
    const outcome = await withNotifications('gate', gateRun, FAST)(options, ctx);
    // Two notifications in parallel after the start ping: each at most 2 × 300 ms + backoff.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.ok).toBe(false);
    expect(outcome.outputs.verdict).toBe('fail');
    expect(paths().filter((p) => p === '/ping/abc/start')).toHaveLength(2);
    expect(paths().filter((p) => p === '/hook')).toHaveLength(2);
    const warnings = ctx.reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    const notes = warnings.filter((w) => w.startsWith('Could not send the'));
    expect(notes).toHaveLength(3);
    for (const note of notes) {
      expect(note).toMatch(problem);
      expect(note).toContain('after 2 attempt(s)');
      expect(note).toContain('The result of the run is unchanged.');
      // The URL is a credential: only its host is named.
      expect(note).not.toContain('/ping/abc');
      expect(note).not.toContain('/hook');
    }
  });

  it('a passing run stays a pass when every notification fails', async () => {
    const folder = await store(true);
    behaviour.set('/', 'fail');
    const outcome = await withNotifications('gate', gateRun, FAST)(gateOptions(folder, { 'notify-webhook': `${base}/hook` }), testContext());
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs.verdict).toBe('pass');
  });

  it('sends nothing and changes nothing without notify settings', async () => {
    const folder = await store(true);
    const outcome = await withNotifications('gate', gateRun, FAST)(gateOptions(folder, {}), testContext());
    expect(outcome.ok).toBe(true);
    expect(paths()).toEqual(['run']);
  });
});

describe('notifications of a cancelled run', () => {
  it('pings /fail and posts a cancelled event, then rethrows what stopped the run', async () => {
    const controller = new AbortController();
    const ctx = { ...testContext(), signal: controller.signal };
    // Stand-in for a backup whose job was cancelled mid-way: its signal fires, and it throws.
    const cancelledBackup = async (): Promise<OperationOutcome> => {
      seen.push('run');
      controller.abort();
      throw Object.assign(new Error('The backup was cancelled.'), { name: 'AbortError' });
    };
    const run = withNotifications('backup', cancelledBackup, FAST);
    await expect(run({ name: 'app', notifyPing: `${base}/ping/abc`, notifyWebhook: [`${base}/hook`] }, ctx)).rejects.toThrow('The backup was cancelled.');
    expect(paths()[0]).toBe('/ping/abc/start');
    expect(paths()[1]).toBe('run');
    expect(paths().slice(2).sort()).toEqual(['/hook', '/ping/abc/fail']);
    expect(JSON.parse(bodyOf('/hook'))).toMatchObject({ operation: 'backup', status: 'cancelled', name: 'app' });
    expect(bodyOf('/ping/abc/fail')).toContain('⚠️ Lifeboat backup of app was cancelled');
  });
});

describe('what a notification never carries', () => {
  it('no secret of the run, even when the failure names one', async () => {
    const secret = 'pw-9f8e7d6c5b4a-never-sent';
    registerSecret(secret);
    const leaky = async (): Promise<OperationOutcome> => ({ ok: false, failure: `could not log in with ${secret}`, outputs: { verdict: 'fail' } });
    await withNotifications('drill', leaky, FAST)({ name: 'app', notifyPing: `${base}/ping/abc`, notifyWebhook: [`${base}/hook`] }, testContext());
    const bodies = seen.filter((s): s is Seen => s !== 'run').map((s) => s.body);
    expect(bodies.length).toBe(3);
    for (const body of bodies) expect(body).not.toContain(secret);
    expect(bodyOf('/hook')).toContain('could not log in with');
  });
});
