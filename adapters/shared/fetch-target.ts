// What the serve helpers of the fetch runtimes (Bun, Deno) accept, resolved into one fetch function.
import { toFetchFunction as fetchFunctionOf, type FetchFunction, type FetchHandlerLike } from "./types.js";

/** An endpoint builder (`restate.endpoint().bind(…)`), so `serve` can apply `bidirectional` before building it. */
export interface EndpointBuilderLike {
  bidirectional(set?: boolean): unknown;
  handler(): { fetch: FetchFunction };
}

function isEndpointBuilder(target: FetchHandlerLike | EndpointBuilderLike): target is EndpointBuilderLike {
  return typeof target === "object" && target !== null && typeof (target as EndpointBuilderLike).handler === "function";
}

/** Resolves what was passed to `serve` (a builder, an endpoint's `{ fetch }` or a function) into one fetch function. */
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
  return fetchFunctionOf(target);
}
