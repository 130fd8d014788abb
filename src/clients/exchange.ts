// One logical request to the ingress: per-attempt timeout (`rpc.opts({ timeout })`), the caller's abort signal,
// and retries under the connection's retry policy. Each attempt goes through the connection's pool of ingress URLs
// (failover.ts: the next node when one cannot be reached). A non-2xx answer that is not retried becomes an
// HttpCallError.

import type { IngressPool } from "./failover.js";
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
  /** May go to another node after it possibly reached one (see failover.ts). */
  retrySafe?: boolean;
}

/** The error a timed-out attempt ends with: named TimeoutError, saying which option set the limit. */
export class IngressTimeoutError extends Error {
  override name = "TimeoutError";
}

export async function exchange(pool: IngressPool, req: ExchangeRequest): Promise<Response> {
  if (req.signal !== undefined && req.timeout !== undefined) {
    throw new TypeError("rpc.opts({ signal, timeout }): give either an abort signal or a timeout, not both");
  }
  if (req.timeout !== undefined && !(Number.isFinite(req.timeout) && req.timeout > 0)) {
    throw new RangeError(`rpc.opts({ timeout }) must be a positive number of milliseconds, got ${req.timeout}`);
  }
  const policy = req.retry;
  const started = Date.now();
  const fitsBudget = (delay: number) => policy !== undefined && Date.now() - started + delay < policy.maxDuration;
  for (let attempt = 0; ; attempt++) {
    const canRetry = policy !== undefined && attempt < policy.maxAttempts - 1 && !req.signal?.aborted;
    const timeoutSignal = req.timeout !== undefined ? AbortSignal.timeout(req.timeout) : undefined;
    const init: RequestInit = { method: req.method, headers: { ...req.headers, [ATTEMPT_HEADER]: String(attempt + 1) } };
    const signal = req.signal ?? timeoutSignal;
    if (signal !== undefined) init.signal = signal;
    // A fresh Request per node: a body can be read only once.
    const build = (base: string) => new Request(base + req.path, req.body !== undefined && req.body.length > 0 ? { ...init, body: bodyBytes(req.body) } : init);

    let response: Response;
    let url: string;
    try {
      const answered = await pool.send(build, { retrySafe: req.retrySafe ?? false, signal, describe: `${req.method} ${req.path}` });
      response = answered.response;
      url = answered.base + req.path;
    } catch (cause) {
      if (canRetry && policy!.shouldRetry({ kind: "network", error: cause }, attempt)) {
        const delay = backoffDelay(policy!, attempt);
        if (fitsBudget(delay)) {
          await sleep(delay, req.signal);
          continue;
        }
      }
      if (timeoutSignal?.aborted) {
        throw new IngressTimeoutError(`${req.method} ${req.path} timed out after ${req.timeout} ms (the timeout of rpc.opts); the invocation may still run on the server`, { cause });
      }
      throw cause; // the caller's abort, or IngressUnreachableError naming every URL tried
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
