/** When and how long to wait before retrying a canister request. Pure, so it is table-tested. */

/** Retry settings of one export run. */
export interface RetryPolicy {
  /** Retries after the first attempt (0: never retry). */
  readonly retries: number;
  /** First delay in ms; doubles per retry. */
  readonly baseDelayMs: number;
  /** Cap of the computed delay in ms. */
  readonly maxDelayMs: number;
}

/** The longest `Retry-After` honoured; a canister asking for more is retried after this. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** What a failed attempt looked like, as far as retrying is concerned. */
export type AttemptFailure =
  | { kind: 'status'; status: number; code?: string; message?: string }
  | { kind: 'timeout' }
  | { kind: 'network'; code?: string };

/** Network error codes that mean "try again" (the request may never have reached the canister). */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** True when the 503 body says the operator export secret was never set (no retry helps). */
export function isNotConfigured(failure: AttemptFailure): boolean {
  return (
    failure.kind === 'status' &&
    failure.status === 503 &&
    (failure.code === 'SERVICE_UNAVAILABLE' || failure.code === undefined) &&
    /not configured/i.test(failure.message ?? '')
  );
}

/** True when another attempt may succeed: 408, 425, 429, 5xx (except "not configured"), timeouts, dropped connections. */
export function isRetryable(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case 'timeout':
      return true;
    case 'network':
      return failure.code === undefined || RETRYABLE_NETWORK_CODES.has(failure.code);
    case 'status':
      if (isNotConfigured(failure)) return false;
      return failure.status === 408 || failure.status === 425 || failure.status === 429 || failure.status >= 500;
  }
}

/**
 * Delay before retry number `retry` (1 = first retry): exponential from `baseDelayMs`, capped
 * at `maxDelayMs`, with "equal jitter" (half fixed, half random) so that concurrent requests
 * throttled together do not come back together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into ms from `now`; undefined when absent or malformed. */
export function parseRetryAfter(header: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now.getTime()));
}

/** The delay before retry number `retry`: the canister's `Retry-After` when it sent one, else the backoff. */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs: number | undefined, random?: () => number): number {
  return retryAfterMs !== undefined ? retryAfterMs : backoffDelay(policy, retry, random);
}
