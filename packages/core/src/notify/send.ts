import { describeEndpoint, type NotifyRequest } from './message.js';

/** How hard a notification is tried: bounded in attempts and in time per attempt. */
export interface DeliveryPolicy {
  readonly attempts: number;
  readonly timeoutMs: number;
  /** Wait before the second attempt; doubled for each further one. */
  readonly backoffMs: number;
}

/** Three attempts of 10 s at most, 1 s then 2 s apart: at most about 33 s per notification. */
export const DEFAULT_DELIVERY: DeliveryPolicy = { attempts: 3, timeoutMs: 10_000, backoffMs: 1000 };

/** How one notification went. */
export interface Delivery {
  readonly ok: boolean;
  readonly attempts: number;
  /** Why the last attempt failed, without the URL. */
  readonly problem?: string;
}

/**
 * POSTs one notification, retrying network errors, timeouts, 429 and 5xx answers; other 4xx
 * answers are not retried (the request itself is wrong). Never throws: a notification is
 * never worth failing a run over.
 */
export async function deliver(request: NotifyRequest, policy: DeliveryPolicy = DEFAULT_DELIVERY): Promise<Delivery> {
  let problem = 'not attempted';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) await sleep(policy.backoffMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': request.contentType, 'user-agent': 'lifeboat' },
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      // Read the answer so the connection is released; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt };
      problem = `${describeEndpoint(request.url)} answered HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) return { ok: false, attempts: attempt, problem };
    } catch (error) {
      const name = (error as { name?: string }).name;
      problem =
        name === 'TimeoutError' || name === 'AbortError'
          ? `${describeEndpoint(request.url)} did not answer within ${policy.timeoutMs} ms`
          : `${describeEndpoint(request.url)} could not be reached (${causeOf(error)})`;
    }
  }
  return { ok: false, attempts: policy.attempts, problem };
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
