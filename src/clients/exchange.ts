// One logical request to the ingress: per-attempt timeout (`rpc.opts({ timeout })`), the caller's abort signal,
// and retries under the connection's retry policy. A non-2xx answer that is not retried becomes an HttpCallError.
// The base URL is a parameter so that a connection may later choose among several.

import { HttpCallError, errorDetailsOf, bodyBytes } from "./http.js";
import { backoffDelay, retryAfterMs, sleep, type ResolvedRetryPolicy } from "./retry.js";

/** Sent with every attempt (1, 2, …), as the official clients do, so servers and proxies can tell retries apart. */
export const ATTEMPT_HEADER = "x-restateclient-retry-attempt";

export interface ExchangeRequest {
  method: "GET" | "POST";
  path: string;
  body?: Uint8Array;
  headers: Record<string, string>;
  /** Aborts the whole request, retries included. Exclusive with `timeout`. */
  signal?: AbortSignal;
  /** Milliseconds each attempt may take before it is aborted. */
  timeout?: number;
  /** Non-2xx statuses returned as they are instead of failing (e.g. 470, "not ready yet"). */
  accepted?: number[];
  /** Retries, or none. */
  retry?: ResolvedRetryPolicy;
}

export type FetchFn = (request: Request) => Promise<Response>;

/** The error a timed-out attempt ends with: named TimeoutError, saying which option set the limit. */
export class IngressTimeoutError extends Error {
  override name = "TimeoutError";
}

export async function exchange(fetchFn: FetchFn, baseUrl: string, req: ExchangeRequest): Promise<Response> {
  if (req.signal !== undefined && req.timeout !== undefined) {
    throw new TypeError("rpc.opts({ signal, timeout }): give either an abort signal or a timeout, not both");
  }
  if (req.timeout !== undefined && !(Number.isFinite(req.timeout) && req.timeout > 0)) {
    throw new RangeError(`rpc.opts({ timeout }) must be a positive number of milliseconds, got ${req.timeout}`);
  }
  const url = baseUrl + req.path;
  const policy = req.retry;
  const started = Date.now();
  const fitsBudget = (delay: number) => policy !== undefined && Date.now() - started + delay < policy.maxDuration;
  for (let attempt = 0; ; attempt++) {
    const canRetry = policy !== undefined && attempt < policy.maxAttempts - 1 && !req.signal?.aborted;
    const timeoutSignal = req.timeout !== undefined ? AbortSignal.timeout(req.timeout) : undefined;
    const init: RequestInit = { method: req.method, headers: { ...req.headers, [ATTEMPT_HEADER]: String(attempt + 1) } };
    if (req.body !== undefined && req.body.length > 0) init.body = bodyBytes(req.body);
    const signal = req.signal ?? timeoutSignal;
    if (signal !== undefined) init.signal = signal;

    let response: Response;
    try {
      response = await fetchFn(new Request(url, init));
    } catch (cause) {
      if (canRetry && policy!.shouldRetry({ kind: "network", error: cause }, attempt)) {
        const delay = backoffDelay(policy!, attempt);
        if (fitsBudget(delay)) {
          await sleep(delay, req.signal);
          continue;
        }
      }
      if (req.signal?.aborted) throw cause;
      if (timeoutSignal?.aborted) {
        throw new IngressTimeoutError(`${req.method} ${url} timed out after ${req.timeout} ms (the timeout of rpc.opts); the invocation may still run on the server`, { cause });
      }
      const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new Error(`cannot reach the Restate ingress at ${baseUrl} (${req.method} ${req.path}): ${reason}`, { cause });
    }
    if ((response.status >= 200 && response.status < 300) || req.accepted?.includes(response.status)) return response;

    const text = await response.text().catch(() => "");
    if (canRetry && policy!.shouldRetry({ kind: "response", status: response.status, headers: response.headers, body: text || undefined }, attempt)) {
      const delay = (policy!.respectRetryAfter ? retryAfterMs(response.headers) : undefined) ?? backoffDelay(policy!, attempt);
      if (fitsBudget(delay)) {
        await sleep(delay, req.signal);
        continue;
      }
    }
    const { message, metadata } = errorDetailsOf(response.status, text);
    throw new HttpCallError(response.status, text, message, url, metadata);
  }
}
