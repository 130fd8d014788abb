// What perdure's serve helpers (perdure/node, perdure/bun, perdure/deno) listen on and resolve with, declared once.

/** Where a serve helper listens (perdure/node's `serve`/`serveHttp2`, perdure/bun's and perdure/deno's `serve`). */
export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only unless asked otherwise. */
  hostname?: string;
}

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

/** The object a serve helper resolves with: `fields` plus `close` and `[Symbol.asyncDispose]` (same function). */
export function runningServer<T extends { port: number; url: string }>(fields: T, close: () => Promise<void>): T & RunningServer {
  return Object.assign(fields, { close, [Symbol.asyncDispose]: close });
}

/** `http://host:port`, with brackets around IPv6 literals. */
export function baseUrl(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}
