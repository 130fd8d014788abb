// Retries of ingress requests, opt-in per connection (`connect({ url, retry })`), with the semantics of the official
// clients: exponential backoff with ±20% jitter, a total time budget, `Retry-After` honoured, and a decision
// function (`shouldRetry`, by default `defaultShouldRetry`) that sees each failure. Only requests that are safe to
// repeat are retried (see ingress.ts): calls and sends with an idempotency key, workflow submissions, attach/output.

import { durationToMs } from "../context/duration.js";
import type { Duration } from "../context/duration.js";

/** Why an attempt failed: no answer at all, or an answer with a non-2xx status. */
export type RetryFailure =
  | { readonly kind: "network"; readonly error: unknown }
  | { readonly kind: "response"; readonly status: number; readonly headers: Headers; readonly body?: string };

export interface RetryPolicy {
  /** Attempts in total, the first included. Default 6; `false`: no limit (the time budget still applies). */
  maxAttempts?: number | false;
  /** Time budget across all attempts and waits. Default 60 s; `false`: none. */
  maxDuration?: Duration | number | false;
  /** Wait before the second attempt. Default 250 ms. */
  initialInterval?: Duration | number;
  /** Longest wait between attempts (before jitter). Default 3 s. */
  maxInterval?: Duration | number;
  /** Growth of the wait per attempt. Default 2. */
  exponentiationFactor?: number;
  /** Wait as long as the server's `Retry-After` says, when it says. Default true. */
  respectRetryAfter?: boolean;
  /** Whether to retry after `failure` (attempt counts from 0). Default: {@link defaultShouldRetry}. */
  shouldRetry?: (failure: RetryFailure, attempt: number) => boolean;
}

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  maxDuration: number;
  initialInterval: number;
  maxInterval: number;
  exponentiationFactor: number;
  respectRetryAfter: boolean;
  shouldRetry: (failure: RetryFailure, attempt: number) => boolean;
}

const DEFAULTS = { maxAttempts: 6, maxDuration: 60_000, initialInterval: 250, maxInterval: 3_000, exponentiationFactor: 2, respectRetryAfter: true };

/**
 * The built-in decision: retry network failures and transient statuses (408, 425, 429, 5xx), but never a failure
 * the server attributes to the invocation itself (`x-restate-error-source: invocation`): that is its durable
 * outcome, and asking again gives the same answer.
 */
export function defaultShouldRetry(failure: RetryFailure): boolean {
  if (failure.kind === "network") return true;
  if (failure.headers.get("x-restate-error-source") === "invocation") return false;
  const status = failure.status;
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** `undefined` (no retries) unless `retry` is `true` (the defaults) or a policy (overriding the defaults). */
export function resolveRetryPolicy(retry: RetryPolicy | boolean | undefined): ResolvedRetryPolicy | undefined {
  if (retry === undefined || retry === false) return undefined;
  const p: RetryPolicy = retry === true ? {} : retry;
  if (typeof p !== "object" || p === null) throw new TypeError("connect({ retry }) must be true, false or a retry policy object");
  const ms = (value: Duration | number | undefined, fallback: number, what: string) => (value === undefined ? fallback : durationToMs(value, what));
  const maxAttempts = p.maxAttempts === false ? Infinity : (p.maxAttempts ?? DEFAULTS.maxAttempts);
  if (!(maxAttempts >= 1)) throw new RangeError(`retry.maxAttempts must be at least 1, got ${p.maxAttempts}`);
  return {
    maxAttempts,
    maxDuration: p.maxDuration === false ? Infinity : ms(p.maxDuration, DEFAULTS.maxDuration, "retry.maxDuration"),
    initialInterval: ms(p.initialInterval, DEFAULTS.initialInterval, "retry.initialInterval"),
    maxInterval: ms(p.maxInterval, DEFAULTS.maxInterval, "retry.maxInterval"),
    exponentiationFactor: p.exponentiationFactor ?? DEFAULTS.exponentiationFactor,
    respectRetryAfter: p.respectRetryAfter ?? DEFAULTS.respectRetryAfter,
    shouldRetry: p.shouldRetry ?? defaultShouldRetry,
  };
}

/** Wait before attempt `attempt + 1`: exponential, capped at maxInterval, then ±20% jitter. */
export function backoffDelay(policy: ResolvedRetryPolicy, attempt: number): number {
  const base = Math.min(policy.initialInterval * Math.pow(policy.exponentiationFactor, attempt), policy.maxInterval);
  return base * (0.8 + Math.random() * 0.4);
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Sleeps `ms`; rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
