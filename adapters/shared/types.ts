// The types every adapter shares, declared once: what a serve helper or wrapper accepts (`FetchHandlerLike`) and
// what a started server looks like (`RunningServer`). Each adapter entry re-exports the ones it uses.

// `any[]`, not `unknown[]`: a Hono app's fetch(request, env?, executionCtx?) must fit without a cast.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

/** Anything that turns a `Request` into a `Response`: an endpoint's `{ fetch }`, a Hono app, or a bare function. */
export type FetchHandlerLike = { fetch: FetchFunction } | FetchFunction;

/**
 * A server started by one of perdure's serve helpers (perdure/node, perdure/bun, perdure/deno), the same shape on
 * every runtime. `await using server = serve(…)` closes it at the end of the scope.
 */
export interface RunningServer {
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:9080`, to register with the admin API. */
  url: string;
  /** Stops listening and ends open connections; restate-server retries whatever was cut short. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Where a serve helper listens (perdure/node's `serve`/`serveHttp2`, perdure/bun's and perdure/deno's `serve`). */
export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only unless asked otherwise. */
  hostname?: string;
}

/** The object a serve helper resolves with: `fields` plus `close` and `[Symbol.asyncDispose]` (same function). */
export function runningServer<T extends { port: number; url: string }>(fields: T, close: () => Promise<void>): T & RunningServer {
  return Object.assign(fields, { close, [Symbol.asyncDispose]: close });
}

/**
 * The fetch function of a handler. `.fetch` wins when present: perdure/node's `handler()` is a Node request
 * listener that also carries a fetch handler. `who` names the caller in the error for anything else.
 */
export function toFetchFunction(handler: FetchHandlerLike, who = "perdure"): FetchFunction {
  const candidate = handler as { fetch?: unknown } | null | undefined;
  if ((typeof candidate === "object" || typeof candidate === "function") && candidate !== null && typeof candidate.fetch === "function") {
    const target = handler as { fetch: FetchFunction };
    return (request, ...extra) => target.fetch(request, ...extra);
  }
  if (typeof handler === "function") return handler;
  throw new TypeError(`${who}: expected an endpoint handler ({ fetch }) or a fetch function`);
}

/** `http://host:port`, with brackets around IPv6 literals. */
export function baseUrl(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}
