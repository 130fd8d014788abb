// `perdure/lambda`: serve an endpoint from AWS Lambda (request-response). Same surface as
// `@restatedev/restate-sdk/lambda`: everything from the core, with `endpoint().….handler()` and
// `createEndpointHandler(...)` returning a Lambda handler instead of a fetch handler.
//
//   import * as restate from "perdure/lambda";
//   export const handler = restate.endpoint().bind(greeter).handler();
//
// `lambdaHandler(fetchHandler)` wraps any existing fetch handler (a perdure endpoint's `{ fetch }`, a Hono app, …).

import { createEndpointHandler as createFetchEndpointHandler, type EndpointOptions } from "../../src/index.js";
import { EndpointBuilderBase, type EndpointBuilderMethods } from "../../src/endpoint/adapter-api.js";
import { lambdaHandler, type LambdaHandler } from "./handler.js";

export * from "../../src/index.js";
export { lambdaHandler } from "./handler.js";
export type { FetchHandlerLike, LambdaContext, LambdaHandler, LambdaHandlerOptions } from "./handler.js";
export type { AlbEvent, ApiGatewayV1Event, ApiGatewayV2Event, LambdaHttpEvent } from "./events.js";
export type { AlbResult, ApiGatewayV1Result, ApiGatewayV2Result, LambdaHttpResult } from "./result.js";
export { LAMBDA_SYNC_RESPONSE_LIMIT } from "./result.js";

const BIDI_REFUSAL = "perdure/lambda: bidirectional mode is not possible on AWS Lambda (it buffers requests and responses)";

/** The endpoint builder of `perdure/lambda`: `.bidirectional()` accepts only `false`, Lambda cannot stream both ways. */
export interface LambdaEndpoint extends EndpointBuilderMethods<LambdaEndpoint> {
  /** Validates the configuration now and returns the Lambda handler to export. */
  handler(): LambdaHandler;
}

class LambdaEndpointBuilder extends EndpointBuilderBase implements LambdaEndpoint {
  override bidirectional(set = true): this {
    if (set) throw new Error(BIDI_REFUSAL);
    return super.bidirectional(false);
  }

  handler(): LambdaHandler {
    return lambdaHandler(createFetchEndpointHandler(this.optionsFor(false)));
  }
}

/** A new endpoint builder whose `handler()` is a Lambda handler: `export const handler = endpoint().bind(svc).handler()`. */
export function endpoint(): LambdaEndpoint {
  return new LambdaEndpointBuilder();
}

/** Like the core's `createEndpointHandler`, but returns a Lambda handler (request-response mode). */
export function createEndpointHandler(options: EndpointOptions): LambdaHandler {
  const { bidirectional } = options as { bidirectional?: unknown };
  if (bidirectional) throw new Error(BIDI_REFUSAL);
  return lambdaHandler(createFetchEndpointHandler({ ...options, bidirectional: false }));
}
