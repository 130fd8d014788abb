// What every adapter accepts as a handler, declared once (`FetchHandlerLike`, `FetchFunction`); what a started server
// looks like is in ./running-server.ts (kept apart: it names Symbol.asyncDispose, which fetch-only platforms' type
// libraries may lack). Each adapter entry re-exports the ones it uses.

// `any[]`, not `unknown[]`: a Hono app's fetch(request, env?, executionCtx?) must fit without a cast.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

/** Anything that turns a `Request` into a `Response`: an endpoint's `{ fetch }`, a Hono app, or a bare function. */
export type FetchHandlerLike = { fetch: FetchFunction } | FetchFunction;

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
