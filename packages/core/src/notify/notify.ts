import { provenanceFromEnv, type RunContext } from '../context.js';
import type { OperationOutcome } from '../report/outcome.js';
import { LIFEBOAT_VERSION } from '../version.js';
import { pingRequest, pingStageFor, runEvent, webhookRequest, type NotifyRequest, type RunEvent } from './message.js';
import { DEFAULT_DELIVERY, deliver, type DeliveryPolicy } from './send.js';

/** The notification settings an operation's options carry (`notify-webhook`, `notify-ping`). */
export interface NotifySettings {
  readonly notifyWebhook?: readonly string[];
  readonly notifyPing?: string;
  readonly name?: string;
}

/**
 * Wraps an operation so it pings `<notify-ping>/start` before it runs, and afterwards pings
 * success or `/fail` and posts to every `notify-webhook`. A notification that cannot be
 * delivered is a warning: the outcome (or the error thrown) is returned unchanged.
 */
export function withNotifications<O extends NotifySettings>(
  operation: string,
  execute: (options: O, context: RunContext) => Promise<OperationOutcome>,
  policy: DeliveryPolicy = DEFAULT_DELIVERY,
): (options: O, context: RunContext) => Promise<OperationOutcome> {
  return async (options, context) => {
    const webhooks = options.notifyWebhook ?? [];
    const ping = options.notifyPing?.trim() || undefined;
    if (webhooks.length === 0 && !ping) return execute(options, context);
    // Webhook and ping URLs are credentials; a comma-separated list was registered only whole.
    for (const url of [...webhooks, ...(ping ? [ping] : [])]) context.reporter.secret(url);
    const send = (what: string, request: NotifyRequest) => notify(what, request, policy, context);
    if (ping) await send('start ping', pingRequest(ping, 'start'));

    let result: { outcome: OperationOutcome } | { error: unknown };
    try {
      result = { outcome: await execute(options, context) };
    } catch (error) {
      result = { error };
    }
    const event = runEvent(
      {
        operation,
        name: options.name ?? outputName(result),
        version: LIFEBOAT_VERSION,
        runUrl: provenanceFromEnv(context.env).runUrl,
        at: context.now(),
        aborted: context.signal?.aborted === true,
      },
      result,
    );
    await Promise.all([
      ...(ping ? [send(`${pingStageFor(event.status)} ping`, pingRequest(ping, pingStageFor(event.status), event))] : []),
      ...webhooks.map((url, index) => send(webhooks.length > 1 ? `webhook ${index + 1}` : 'webhook', webhookRequest(url, event))),
    ]);
    if ('error' in result) throw result.error;
    return result.outcome;
  };
}

async function notify(what: string, request: NotifyRequest, policy: DeliveryPolicy, context: RunContext): Promise<void> {
  const delivery = await deliver(request, policy);
  if (delivery.ok) context.reporter.debug(`Notification sent (${what}).`);
  else context.reporter.warning(`Could not send the ${what} notification after ${delivery.attempts} attempt(s): ${delivery.problem}. The result of the run is unchanged.`);
}

function outputName(result: { outcome: OperationOutcome } | { error: unknown }): string | undefined {
  const data = 'outcome' in result ? (result.outcome.data as { name?: unknown } | undefined) : undefined;
  return typeof data?.name === 'string' && data.name ? data.name : undefined;
}

export type { RunEvent };
