import { describe, expect, it } from 'vitest';
import { registerSecret } from '../report/secrets.js';
import { eventText, pingRequest, pingStageFor, runEvent, webhookKind, webhookRequest, type RunEvent } from './message.js';

const AT = new Date('2026-01-02T03:04:05Z');
const run = { operation: 'drill', name: 'app', version: '1.2.3', at: AT, aborted: false };
const failed: RunEvent = runEvent(run, {
  outcome: { ok: false, failure: 'Drill fail: restore failed: pg_restore exited 1', outputs: { verdict: 'fail', 'drill-id': 'd1', 'evidence-path': '/tmp/x.json', 'rpo-seconds': undefined } },
});

describe('runEvent', () => {
  it.each<[string, Parameters<typeof runEvent>, Partial<RunEvent>]>([
    ['a success', [run, { outcome: { ok: true, outputs: { verdict: 'pass', 'drill-id': 'd1' } } }], { status: 'success', verdict: 'pass' }],
    ['a failed outcome', [run, { outcome: { ok: false, failure: 'Drill fail: x', outputs: { verdict: 'fail' } } }], { status: 'failure', verdict: 'fail', failure: 'Drill fail: x' }],
    ['a thrown error', [run, { error: new Error('boom') }], { status: 'failure', failure: 'Unexpected error: boom' }],
    ['a cancelled run', [{ ...run, aborted: true }, { error: Object.assign(new Error('aborted'), { name: 'AbortError' }) }], { status: 'cancelled', failure: 'Unexpected error: aborted' }],
  ])('%s', (_, args, expected) => {
    expect(runEvent(...args)).toMatchObject(expected);
  });

  it('says nothing of a failure when the run succeeded', () => {
    expect(runEvent(run, { outcome: { ok: true, failure: 'stale text', outputs: {} } })).not.toHaveProperty('failure');
  });

  it('leaves out local paths and empty outputs', () => {
    expect(failed.outputs).toEqual({ verdict: 'fail', 'drill-id': 'd1' });
  });

  it('redacts registered secrets from the failure and outputs', () => {
    registerSecret('hunter2-very-secret');
    const event = runEvent(run, { outcome: { ok: false, failure: 'bad password hunter2-very-secret', outputs: { note: 'hunter2-very-secret' } } });
    expect(JSON.stringify(event)).not.toContain('hunter2-very-secret');
    expect(webhookRequest('https://example.test/hook', event).body).not.toContain('hunter2-very-secret');
  });
});

describe('eventText', () => {
  it.each<[RunEvent, string]>([
    [runEvent(run, { outcome: { ok: true, outputs: { verdict: 'pass' } } }), '✅ Lifeboat drill of app succeeded (pass).'],
    [failed, '❌ Lifeboat drill of app failed (fail): Drill fail: restore failed: pg_restore exited 1'],
    [runEvent({ ...run, operation: 'backup', aborted: true, runUrl: 'https://github.com/o/r/actions/runs/1' }, { error: new Error('stopped') }), '⚠️ Lifeboat backup of app was cancelled: Unexpected error: stopped https://github.com/o/r/actions/runs/1'],
  ])('%#', (event, text) => {
    expect(eventText(event)).toBe(text);
  });
});

describe('webhooks', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/xyz', 'slack'],
    ['https://contoso.webhook.office.com/webhookb2/abc', 'teams'],
    ['https://prod-01.westus.logic.azure.com:443/workflows/abc', 'teams'],
    ['https://example.org/lifeboat', 'generic'],
    ['https://hooks.slack.com.evil.example/x', 'generic'],
    ['not a url', 'generic'],
  ])('%s is %s', (url, kind) => {
    expect(webhookKind(url)).toBe(kind);
  });

  it('sends Slack and Teams only their text, anything else the whole event with its text', () => {
    expect(JSON.parse(webhookRequest('https://hooks.slack.com/services/T0/B0/xyz', failed).body)).toEqual({ text: eventText(failed) });
    expect(JSON.parse(webhookRequest('https://contoso.webhook.office.com/webhookb2/abc', failed).body)).toEqual({ text: eventText(failed) });
    expect(JSON.parse(webhookRequest('https://example.org/lifeboat', failed).body)).toEqual({
      source: 'lifeboat',
      operation: 'drill',
      status: 'failure',
      name: 'app',
      verdict: 'fail',
      failure: 'Drill fail: restore failed: pg_restore exited 1',
      outputs: { verdict: 'fail', 'drill-id': 'd1' },
      at: '2026-01-02T03:04:05.000Z',
      version: '1.2.3',
      text: eventText(failed),
    });
  });
});

describe('pings (healthchecks.io convention)', () => {
  it.each([
    ['https://hc-ping.com/uuid', 'start', 'https://hc-ping.com/uuid/start'],
    ['https://hc-ping.com/uuid/', 'success', 'https://hc-ping.com/uuid'],
    ['https://hc-ping.com/uuid', 'fail', 'https://hc-ping.com/uuid/fail'],
  ] as const)('%s %s → %s', (base, stage, url) => {
    expect(pingRequest(base, stage).url).toBe(url);
  });

  it('pings fail for a failure and for a cancellation', () => {
    expect([pingStageFor('success'), pingStageFor('failure'), pingStageFor('cancelled')]).toEqual(['success', 'fail', 'fail']);
    expect(pingRequest('https://hc-ping.com/uuid', 'fail', failed).body).toBe(eventText(failed));
  });
});
