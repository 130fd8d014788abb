// Several ingress URLs of one Restate cluster behind one client: requests go round-robin over the nodes, and when a
// node cannot be reached the request moves on to the next one — but only where doing it again cannot run a handler
// twice. Connection refused means the request never left this process, so any request may move on. After a request
// may have reached a node (reset, timeout, closed mid-answer), it moves on only when it is safe to send twice:
// a call or send with an idempotency key, a workflow submission (one run per workflow key), and reads (attach,
// output). A plain call without an idempotency key then fails with the error, as with a single URL.
// Web-standard fetch only: runs on every runtime.

import { normalizeBaseUrl } from "./http.js";

/** The ingress base URLs of `connect({ url })`: one URL or a non-empty list of them, all http(s). */
export function ingressUrls(url: unknown): string[] {
  const list = Array.isArray(url) ? url : [url];
  if (list.length === 0) throw new TypeError("connect({ url: [] }): give at least one ingress URL");
  for (const u of list) {
    if (typeof u !== "string") throw new TypeError(`connect({ url }): expected a URL string or a list of them, got ${JSON.stringify(u)}`);
  }
  return [...new Set((list as string[]).map(normalizeBaseUrl))];
}

/** Whether an error thrown by fetch means the connection was refused, i.e. nothing was sent. */
export function isConnectionRefused(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  // Node (undici): cause.code ECONNREFUSED (an AggregateError when several addresses were tried); Bun 1.4: code
  // ECONNREFUSED (older Buns: ConnectionRefused); Deno: "Connection refused" in the cause's message.
  if (e.code === "ECONNREFUSED" || e.code === "ConnectionRefused") return true;
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every((x) => isConnectionRefused(x, depth + 1));
  if (e.cause !== undefined) return isConnectionRefused(e.cause, depth + 1);
  return typeof e.message === "string" && /connection refused|ECONNREFUSED/i.test(e.message);
}

export interface Attempted {
  response: Response;
  /** The base URL that answered. */
  base: string;
}

/** A request could not be sent to any ingress; `attempts` lists what happened at each URL tried. */
export class IngressUnreachableError extends Error {
  override name = "IngressUnreachableError";
  constructor(
    message: string,
    readonly attempts: Array<{ url: string; error: unknown }>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Round-robin over the ingress URLs with failover (see the top of this file for when a request moves on). */
export class IngressPool {
  private next = 0;

  constructor(
    readonly bases: readonly string[],
    private readonly fetchFn: (request: Request) => Promise<Response>,
  ) {}

  /**
   * Sends `build(base)` to one node after the other until one answers. `retrySafe`: the request may be sent again
   * after it possibly reached a node. `describe` names the request in errors.
   */
  async send(build: (base: string) => Request, opts: { retrySafe: boolean; signal?: AbortSignal; describe: string }): Promise<Attempted> {
    const count = this.bases.length;
    const start = this.next;
    this.next = (start + 1) % count;
    const attempts: Array<{ url: string; error: unknown }> = [];
    for (let i = 0; i < count; i++) {
      const base = this.bases[(start + i) % count]!;
      try {
        return { response: await this.fetchFn(build(base)), base };
      } catch (error) {
        if (opts.signal?.aborted) throw error;
        attempts.push({ url: base, error });
        const last = i === count - 1;
        if (!last && (opts.retrySafe || isConnectionRefused(error))) continue;
        const at = attempts.map((a) => a.url).join(", ");
        const reason = attempts.length === 1 ? reasonOf(error) : attempts.map((a) => `${a.url}: ${reasonOf(a.error)}`).join("; ");
        const why =
          last || count === 1
            ? ""
            : " (not sent to another node: the request may have reached this one, and it has no idempotency key — " +
              "add one with rpc.opts({ idempotencyKey }) to let it move to the next ingress)";
        throw new IngressUnreachableError(`cannot reach the Restate ingress at ${at} (${opts.describe}): ${reason}${why}`, attempts, { cause: error });
      }
    }
    throw new Error("unreachable: IngressPool has no URL");
  }
}

function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  if (typeof cause === "object" && cause !== null && "code" in cause) return String((cause as { code: unknown }).code);
  return err.message;
}
