// Giving up on a dead endpoint within seconds. A connection that cannot be made (refused, no
// route, a name that does not resolve, no answer to the connect) gets a short connect timeout
// and at most two retries, whatever the call's overall attempt budget is: that budget exists
// for throttling and 5xx answers, which a live service gives and which are worth riding out.
// A request that connected and then timed out or was cut is not a connection failure and
// stays in the ordinary budget.
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/** time to establish a TCP connection (and resolve the name) before the attempt fails */
export const CONNECT_TIMEOUT_MS = 3_000;
/** retries after a connection failure, per call: three attempts in all */
const MAX_CONNECTION_RETRIES = 2;

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** True when `err` says no connection could be made (as opposed to a slow or broken answer). */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : '';
  if (CONNECTION_CODES.has(code)) return true;
  // the Node HTTP handler's connect timeout: "... without establishing a connection within N ms"
  return typeof e.message === 'string' && /without establishing a connection/i.test(e.message);
}

/**
 * Wraps a retry strategy (the SDK's adaptive one by default) so that connection failures use
 * their own budget of MAX_CONNECTION_RETRIES retries per call; everything else is the inner
 * strategy's decision, delays and rate limiting included.
 */
function withConnectionBudget(inner: () => Promise<RetryStrategyV2>, maxRetries = MAX_CONNECTION_RETRIES): RetryStrategyV2 {
  let loaded: RetryStrategyV2 | undefined;
  const strategy = async () => (loaded ??= await inner());
  const failures = new WeakMap<RetryToken, number>();
  return {
    async acquireInitialRetryToken(scope: string) {
      return (await strategy()).acquireInitialRetryToken(scope);
    },
    async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo) {
      const s = await strategy();
      const seen = (failures.get(token) ?? 0) + (isConnectionFailure(info.error) ? 1 : 0);
      // throwing here ends the call: the SDK then throws the call's last error
      if (seen > maxRetries) throw info.error ?? new Error('connection failed');
      const next = await s.refreshRetryTokenForRetry(token, info);
      failures.set(next, seen);
      return next;
    },
    recordSuccess(token: RetryToken) {
      // the initial token was acquired through the loaded strategy, so it is there
      loaded?.recordSuccess(token);
    },
  };
}

/** The SDK's own adaptive strategy (back-off plus client-side rate limiting) with that budget. */
export function adaptiveWithConnectionBudget(maxAttempts: number): RetryStrategyV2 {
  return withConnectionBudget(async () => {
    const { AdaptiveRetryStrategy } = await import('@smithy/core/retry');
    return new AdaptiveRetryStrategy(maxAttempts);
  });
}
