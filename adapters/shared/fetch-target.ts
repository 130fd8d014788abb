// What the serve helpers of the fetch runtimes (Bun, Deno) accept, resolved into one fetch function.

export type FetchFunction = (request: Request, ...extra: unknown[]) => Promise<Response> | Response;

/** An endpoint's `{ fetch }` (from `.handler()`) or a bare fetch function. */
export type FetchHandlerLike = { fetch: FetchFunction } | FetchFunction;

/** An endpoint builder (`restate.endpoint().bind(…)`), so `serve` can apply `bidirectional` before building it. */
export interface EndpointBuilderLike {
  bidirectional(set?: boolean): unknown;
  handler(): { fetch: FetchFunction };
}

function isEndpointBuilder(target: FetchHandlerLike | EndpointBuilderLike): target is EndpointBuilderLike {
  return typeof target === "object" && typeof (target as EndpointBuilderLike).handler === "function";
}

/** Resolves what was passed to `serve` into one fetch function. */
export function toFetchFunction(target: FetchHandlerLike | EndpointBuilderLike, bidirectional?: boolean): FetchFunction {
  if (isEndpointBuilder(target)) {
    if (bidirectional !== undefined) target.bidirectional(bidirectional);
    const { fetch } = target.handler();
    return fetch;
  }
  if (bidirectional !== undefined) {
    throw new TypeError(
      "serve({ bidirectional }) needs the endpoint builder; this handler is already built: " +
        "call .bidirectional() on the endpoint before .handler(), or pass the endpoint itself",
    );
  }
  if (typeof target === "function") return target;
  return (request, ...extra) => target.fetch(request, ...extra);
}
