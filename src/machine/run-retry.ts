// What a failed ctx.run execution becomes under its retry policy. A retry ends the attempt with an ErrorMessage
// carrying the next delay (the server re-runs the invocation); an exhausted policy journals the failure as the run's
// terminal result. Without any policy option the server's own retry policy applies (never exhausted here).

/** A ctx.run retry policy, in milliseconds (the context converts the user's Durations). */
export interface RunRetryPolicy {
  maxAttempts?: number;
  maxDurationMs?: number;
  initialIntervalMs?: number;
  maxIntervalMs?: number;
  factor?: number;
}

export type RunRetryDecision = { retry: true; delayMs: number | undefined } | { retry: false };

const DEFAULT_INITIAL_INTERVAL_MS = 50;
const DEFAULT_MAX_INTERVAL_MS = 10_000;
const DEFAULT_FACTOR = 2;

/**
 * attempt = this run's execution number (1-based) in the current retry loop; elapsedMs = time spent in it;
 * retryAfterMs = a delay the error itself asked for (RetryableError.retryAfter), which wins over the computed one.
 */
export function decideRunRetry(policy: RunRetryPolicy, attempt: number, elapsedMs: number, retryAfterMs?: number): RunRetryDecision {
  const { maxAttempts, maxDurationMs, initialIntervalMs, maxIntervalMs, factor } = policy;
  const hasPolicy = [maxAttempts, maxDurationMs, initialIntervalMs, maxIntervalMs, factor].some((o) => o !== undefined);
  if (!hasPolicy) return { retry: true, delayMs: retryAfterMs };
  if (maxAttempts !== undefined && attempt >= maxAttempts) return { retry: false };
  if (maxDurationMs !== undefined && elapsedMs >= maxDurationMs) return { retry: false };
  const computed = Math.min((initialIntervalMs ?? DEFAULT_INITIAL_INTERVAL_MS) * Math.pow(factor ?? DEFAULT_FACTOR, attempt - 1), maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS);
  return { retry: true, delayMs: retryAfterMs ?? computed };
}
