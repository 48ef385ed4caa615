import { setTimeout as sleep } from 'node:timers/promises';
import type { Reporter } from '../../report/reporter.js';
import { formatDuration } from '../../options/values.js';
import { routeUrl, type CanisterUrl } from './canister-url.js';
import {
  CanisterAuthError,
  CanisterExportNotConfiguredError,
  CanisterGatewayAuthError,
  CanisterRequestError,
  SET_EXPORT_SECRET_COMMAND,
} from './errors.js';
import { isNotConfigured, isRetryable, parseRetryAfter, retryDelay, type AttemptFailure, type RetryPolicy } from './retry.js';

/** Settings of the HTTP side of an export. */
export interface CanisterClientOptions {
  readonly canister: CanisterUrl;
  /** `X-Operator-Export-Key`; sent only to the user index route. */
  readonly exportKey?: string;
  /** `X-Gateway-Auth`; sent on every route. */
  readonly gatewaySecret?: string;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly reporter: Reporter;
  /** Aborts every request and retry wait. */
  readonly signal: AbortSignal;
}

/** One GET: the route (for logs and errors, never with ids), headers, query. */
export interface CanisterRequest {
  /** Route template as logged, e.g. `GET /api/v1/proposals/{id}`. */
  readonly label: string;
  /** Path under the base URL. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly userId?: string;
  readonly vaultId?: string;
  /** Sends `X-Operator-Export-Key`. */
  readonly operatorKey?: boolean;
}

/** A 2xx answer: the body as text (parsing is the caller's: a proposal that is not JSON is kept). */
export interface CanisterResponse {
  readonly status: number;
  readonly text: string;
}

/** Request counters of one run, for the log and the benchmark. */
export interface ClientStats {
  requests: number;
  retries: number;
}

/** Bodies quoted in errors are cut to this many characters. */
const QUOTE_LIMIT = 200;

/**
 * GETs against the hub canister with a per-request timeout and retries: 429, 5xx, timeouts and
 * dropped connections are retried with exponential backoff and jitter (honouring
 * `Retry-After`); 401, 403 and "export not configured" fail at once with what to fix.
 */
export class CanisterClient {
  readonly stats: ClientStats = { requests: 0, retries: 0 };

  constructor(private readonly options: CanisterClientOptions) {}

  /** Performs one logical request, retrying as the policy allows; resolves with a 2xx body. */
  async get(request: CanisterRequest): Promise<CanisterResponse> {
    const { retry, signal, reporter } = this.options;
    const attempts = retry.retries + 1;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      const outcome = await this.attempt(request);
      if (outcome.ok) return outcome.response;
      const { failure, retryAfterMs, cause } = outcome;
      if (!isRetryable(failure)) throw this.finalError(request, failure, attempt, cause);
      if (attempt >= attempts) throw this.finalError(request, failure, attempt, cause);
      const delay = retryDelay(retry, attempt, retryAfterMs);
      this.stats.retries++;
      reporter.info(
        `Retrying ${request.label} after ${describeFailure(failure)} in ${formatDuration(delay)} (attempt ${attempt + 1} of ${attempts}).`,
      );
      try {
        await sleep(delay, undefined, { signal });
      } catch (error) {
        throw signal.reason ?? error;
      }
    }
  }

  private async attempt(
    request: CanisterRequest,
  ): Promise<
    | { ok: true; response: CanisterResponse }
    | { ok: false; failure: AttemptFailure; retryAfterMs?: number; cause?: unknown }
  > {
    const { canister, exportKey, gatewaySecret, requestTimeoutMs, signal } = this.options;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.operatorKey && exportKey) headers['x-operator-export-key'] = exportKey;
    if (gatewaySecret) headers['x-gateway-auth'] = gatewaySecret;
    if (request.userId !== undefined) headers['x-user-id'] = request.userId;
    if (request.vaultId !== undefined) headers['x-vault-id'] = request.vaultId;
    // One controller per attempt, fed by the run's signal and the timer, released afterwards
    // (a listener left on the long-lived run signal per request would grow without bound).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('request timed out'));
    }, requestTimeoutMs);
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.stats.requests++;
    try {
      // The timeout covers the body too: a canister that sends headers and then stalls is retried.
      const response = await fetch(routeUrl(canister, request.path, request.query), {
        headers,
        signal: controller.signal,
        redirect: 'error',
      });
      const text = await response.text();
      if (response.ok) return { ok: true, response: { status: response.status, text } };
      const { code, message } = errorBody(text);
      return {
        ok: false,
        failure: { kind: 'status', status: response.status, code, message: message ?? text.slice(0, QUOTE_LIMIT) },
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (timedOut) return { ok: false, failure: { kind: 'timeout' }, cause: error };
      return { ok: false, failure: { kind: 'network', code: networkCode(error) }, cause: error };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private finalError(request: CanisterRequest, failure: AttemptFailure, attempts: number, cause: unknown): Error {
    const { canister, gatewaySecret } = this.options;
    if (failure.kind === 'status') {
      const said = failure.message ? ` (${failure.code ? `${failure.code}: ` : ''}${failure.message})` : '';
      if (failure.status === 401) {
        return request.operatorKey
          ? new CanisterAuthError(
              `The canister at ${canister.origin} rejected the operator export key (401 on ${request.label}).`,
              `Set \`export-key\` to exactly the secret a controller set with: ${SET_EXPORT_SECRET_COMMAND}`,
            )
          : new CanisterAuthError(
              `The canister at ${canister.origin} refused ${request.label} with 401${said}.`,
              'Check `user-id` and the gateway secret; the per-user routes take no export key.',
            );
      }
      if (failure.status === 403 && failure.code === 'GATEWAY_AUTH_REQUIRED') {
        return gatewaySecret
          ? new CanisterGatewayAuthError(
              `The canister at ${canister.origin} rejected the gateway secret (403 GATEWAY_AUTH_REQUIRED on ${request.label}).`,
              'Set `gateway-secret` to the gateway secret configured on the canister.',
            )
          : new CanisterGatewayAuthError(
              `The canister at ${canister.origin} requires gateway authentication (403 GATEWAY_AUTH_REQUIRED on ${request.label}).`,
              'Set `gateway-secret` (sent as X-Gateway-Auth) to the gateway secret configured on the canister.',
            );
      }
      if (failure.status === 403) {
        return new CanisterAuthError(
          `The canister at ${canister.origin} refused ${request.label} with 403${said}.`,
          'Check `export-key` and `gateway-secret`.',
        );
      }
      if (isNotConfigured(failure)) {
        return new CanisterExportNotConfiguredError(
          `The operator export is not configured on the canister at ${canister.origin} (503 on ${request.label}).`,
          `A controller must set the export secret once: ${SET_EXPORT_SECRET_COMMAND} — then put the same value in \`export-key\``,
        );
      }
      const hint =
        failure.status === 503 && canister.nonRawWarning
          ? canister.nonRawWarning
          : isRetryable(failure)
            ? 'The canister is overloaded or failing; run again later, or raise `retries`/`retry-max-delay`, or lower `concurrency`.'
            : 'Check `canister-url` points at a Knowtation hub canister.';
      return new CanisterRequestError(
        `${request.label} failed with HTTP ${failure.status}${said} after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
        hint,
        failure.status,
      );
    }
    if (failure.kind === 'timeout') {
      return new CanisterRequestError(
        `${request.label} timed out ${attempts} time${attempts === 1 ? '' : 's'} (limit ${formatDuration(this.options.requestTimeoutMs)} per request).`,
        'Raise `request-timeout` (a large vault takes longer), or lower `concurrency`.',
        undefined,
        { cause },
      );
    }
    const detail = failure.code ?? (cause instanceof Error ? cause.message : 'connection failed');
    return new CanisterRequestError(
      `${request.label} to ${canister.origin} failed: ${detail}${isRetryable(failure) ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : ''}.`,
      failure.code === 'ENOTFOUND' ? 'Check the host name in `canister-url`.' : 'Check `canister-url` and the network between the runner and the canister.',
      undefined,
      { cause },
    );
  }
}

function describeFailure(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status}`;
    case 'timeout':
      return 'a timeout';
    case 'network':
      return failure.code ?? 'a connection error';
  }
}

/** `{"error": "...", "code": "..."}` as the canister sends it; fields undefined when absent. */
function errorBody(text: string): { code?: string; message?: string } {
  try {
    const json = JSON.parse(text) as { error?: unknown; code?: unknown };
    return {
      code: typeof json.code === 'string' ? json.code : undefined,
      message: typeof json.error === 'string' ? json.error.slice(0, QUOTE_LIMIT) : undefined,
    };
  } catch {
    return {};
  }
}

/** The system error code behind a fetch failure (`fetch failed` hides it in `cause`). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
