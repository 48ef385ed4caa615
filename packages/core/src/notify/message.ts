import type { OperationOutcome } from '../report/outcome.js';
import { describeError } from '../report/errors.js';
import { redact } from '../report/secrets.js';

/** How a run ended, as notifications say it. */
export type RunStatus = 'success' | 'failure' | 'cancelled';

/** What a notification tells: never a secret, never row data. */
export interface RunEvent {
  /** `backup`, `drill` or `gate`. */
  readonly operation: string;
  readonly status: RunStatus;
  /** The backup name, when the run was for one. */
  readonly name?: string;
  /** The operation's `verdict` output, when it has one (`pass`, `fail`, `inconclusive`). */
  readonly verdict?: string;
  /** One line: why the run did not succeed. */
  readonly failure?: string;
  readonly outputs: Readonly<Record<string, string | number | boolean>>;
  readonly runUrl?: string;
  /** When the run ended, ISO 8601. */
  readonly at: string;
  readonly version: string;
}

/** The kinds of webhook that get a message of their own shape. */
export type WebhookKind = 'slack' | 'teams' | 'generic';

/** One HTTP request to make. */
export interface NotifyRequest {
  readonly url: string;
  readonly body: string;
  readonly contentType: string;
}

/** Outputs that are local paths say nothing to a reader elsewhere. */
const LOCAL_OUTPUTS = new Set(['evidence-path', 'evidence-markdown-path']);

/**
 * The event for a finished run: `cancelled` when its abort signal fired, else `success` or
 * `failure` from the outcome (or the error it threw). Every text is redacted of registered secrets.
 */
export function runEvent(
  run: { operation: string; name?: string; version: string; runUrl?: string; at: Date; aborted: boolean },
  result: { outcome: OperationOutcome } | { error: unknown },
): RunEvent {
  const outcome = 'outcome' in result ? result.outcome : undefined;
  const status: RunStatus = run.aborted ? 'cancelled' : outcome?.ok ? 'success' : 'failure';
  const outputs: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(outcome?.outputs ?? {})) {
    if (value === undefined || LOCAL_OUTPUTS.has(key)) continue;
    outputs[key] = typeof value === 'string' ? redact(value) : value;
  }
  const failure = outcome ? outcome.failure : describeError((result as { error: unknown }).error);
  const verdict = typeof outputs.verdict === 'string' ? outputs.verdict : undefined;
  return {
    operation: run.operation,
    status,
    ...(run.name && { name: run.name }),
    ...(verdict && { verdict }),
    ...(status !== 'success' && failure && { failure: redact(failure) }),
    outputs,
    ...(run.runUrl && { runUrl: run.runUrl }),
    at: run.at.toISOString(),
    version: run.version,
  };
}

/** One line for people: what ran, for which name, how it ended, and why not. */
export function eventText(event: RunEvent): string {
  const subject = `Lifeboat ${event.operation}${event.name ? ` of ${event.name}` : ''}`;
  const how =
    event.status === 'success'
      ? `✅ ${subject} succeeded${event.verdict ? ` (${event.verdict})` : ''}`
      : event.status === 'cancelled'
        ? `⚠️ ${subject} was cancelled`
        : `❌ ${subject} failed${event.verdict ? ` (${event.verdict})` : ''}`;
  const why = event.status !== 'success' && event.failure ? `: ${event.failure}` : '.';
  return `${how}${why}${event.runUrl ? ` ${event.runUrl}` : ''}`;
}

/** Slack and Teams incoming webhooks are recognised by their host; anything else is generic. */
export function webhookKind(url: string): WebhookKind {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'generic';
  }
  if (host === 'hooks.slack.com') return 'slack';
  if (host.endsWith('.webhook.office.com') || host === 'outlook.office.com' || host.endsWith('.logic.azure.com')) return 'teams';
  return 'generic';
}

/** The POST a webhook gets: Slack/Teams-compatible `{text}`, or the whole event as JSON with its `text`. */
export function webhookRequest(url: string, event: RunEvent): NotifyRequest {
  const text = eventText(event);
  const body = webhookKind(url) === 'generic' ? { source: 'lifeboat', ...event, text } : { text };
  return { url, body: redact(JSON.stringify(body)), contentType: 'application/json' };
}

/** Which ping of the healthchecks.io convention: at start, on success, on failure. */
export type PingStage = 'start' | 'success' | 'fail';

/** `<url>/start`, `<url>`, `<url>/fail`; the body is the one-line text (healthchecks keeps it as the ping's log). */
export function pingRequest(base: string, stage: PingStage, event?: RunEvent): NotifyRequest {
  const trimmed = base.replace(/\/+$/, '');
  const url = stage === 'success' ? trimmed : `${trimmed}/${stage}`;
  const body = event ? redact(eventText(event)) : '';
  return { url, body, contentType: 'text/plain; charset=utf-8' };
}

/** The ping stage for how a run ended: a cancelled run did not do its job, so it pings `fail`. */
export function pingStageFor(status: RunStatus): PingStage {
  return status === 'success' ? 'success' : 'fail';
}

/** The host of a URL, for warnings that must not print the URL itself (it is a credential). */
export function describeEndpoint(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparsable URL';
  }
}
