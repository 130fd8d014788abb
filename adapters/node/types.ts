// Types shared by the Node servers (HTTP/1.1, h2c, and both on one port).

// `any[]` so that handlers with typed extra parameters (a Hono app's fetch(request, env, ctx)) fit.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

/** Anything that turns a `Request` into a `Response`: an endpoint's `{ fetch }` or a bare function. */
export type FetchHandlerLike = { fetch: FetchFunction } | FetchFunction;

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only unless asked otherwise. */
  hostname?: string;
}

export interface RunningServer {
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:9080`, to register with the admin API. */
  url: string;
  close(): Promise<void>;
}

export function toFetchFunction(handler: FetchHandlerLike): FetchFunction {
  // `.fetch` first: perdure/node's handler() is a Node request listener that also carries a fetch handler.
  if ("fetch" in handler && typeof handler.fetch === "function") {
    const target = handler as { fetch: FetchFunction };
    return (request, ...extra) => target.fetch(request, ...extra);
  }
  return handler as FetchFunction;
}

/** `http://host:port`, with brackets around IPv6 literals. */
export function baseUrl(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}
