import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  isRetryable,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
} from '../../packages/core/src/engines/canister/retry.js';

const policy = { retries: 5, baseDelayMs: 1_000, maxDelayMs: 30_000 };

describe('which failures are retried', () => {
  it.each([
    [{ kind: 'status', status: 429 }, true],
    [{ kind: 'status', status: 500 }, true],
    [{ kind: 'status', status: 502 }, true],
    [{ kind: 'status', status: 503, code: 'OVERLOADED', message: 'busy' }, true],
    [{ kind: 'status', status: 504 }, true],
    [{ kind: 'status', status: 408 }, true],
    [{ kind: 'timeout' }, true],
    [{ kind: 'network', code: 'ECONNRESET' }, true],
    [{ kind: 'network', code: 'UND_ERR_SOCKET' }, true],
    [{ kind: 'network', code: 'ENOTFOUND' }, false],
    [{ kind: 'status', status: 401, code: 'UNAUTHORIZED' }, false],
    [{ kind: 'status', status: 403, code: 'GATEWAY_AUTH_REQUIRED' }, false],
    [{ kind: 'status', status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Operator export not configured' }, false],
    [{ kind: 'status', status: 400 }, false],
    [{ kind: 'status', status: 404 }, false],
  ] as [AttemptFailure, boolean][])('%o → %s', (failure, retried) => {
    expect(isRetryable(failure)).toBe(retried);
  });
});

describe('backoff', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1_000],
    [2, 0, 1_000],
    [3, 1, 4_000],
    [5, 1, 16_000],
    [6, 1, 30_000],
    [12, 0, 15_000],
  ])('retry %i with random %d waits %i ms', (retry, random, expected) => {
    expect(backoffDelay(policy, retry, () => random)).toBe(expected);
  });

  it('stays within half and all of the capped exponential delay', () => {
    for (let retry = 1; retry <= 10; retry++) {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(policy, retry);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('a Retry-After wins over the backoff', () => {
    expect(retryDelay(policy, 1, 7_000, () => 0)).toBe(7_000);
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(500);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  it.each([
    ['3', 3_000],
    ['0', 0],
    ['1.5', 1_500],
    ['Fri, 01 May 2026 10:00:30 GMT', 30_000],
    ['Fri, 01 May 2026 09:00:00 GMT', 0],
    ['86400', MAX_RETRY_AFTER_MS],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j → %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
