// `perdure/lambda`: serve an endpoint from AWS Lambda (request-response). Same surface as
// `@restatedev/restate-sdk/lambda`: everything from the core, with `endpoint().….handler()` and
// `createEndpointHandler(...)` returning a Lambda handler instead of a fetch handler.
//
//   import * as restate from "perdure/lambda";
//   export const handler = restate.endpoint().bind(greeter).handler();
//
// `lambdaHandler(fetchHandler)` wraps any existing fetch handler (a perdure endpoint's `{ fetch }`, a Hono app, …).

import {
  createEndpointHandler as createFetchEndpointHandler,
  endpoint as fetchEndpoint,
  type DefaultServiceOptions,
  type EndpointOptions,
  type FetchEndpoint,
} from "../../src/index.js";
import { lambdaHandler, type LambdaHandler } from "./handler.js";

export * from "../../src/index.js";
export { lambdaHandler } from "./handler.js";
export type { FetchHandlerLike, LambdaContext, LambdaHandler, LambdaHandlerOptions } from "./handler.js";
export type { AlbEvent, ApiGatewayV1Event, ApiGatewayV2Event, LambdaHttpEvent } from "./events.js";
export type { AlbResult, ApiGatewayV1Result, ApiGatewayV2Result, LambdaHttpResult } from "./result.js";
export { LAMBDA_SYNC_RESPONSE_LIMIT } from "./result.js";

type ServiceDefinitionLike = Parameters<FetchEndpoint["bind"]>[0];

/** The endpoint builder of `perdure/lambda`. There is no `bidirectional()`: Lambda cannot stream both ways. */
export interface LambdaEndpoint {
  bind(service: ServiceDefinitionLike): LambdaEndpoint;
  withIdentityV1(...keys: string[]): LambdaEndpoint;
  defaultServiceOptions(options: DefaultServiceOptions): LambdaEndpoint;
  setLogger(logger: unknown): LambdaEndpoint;
  /** perdure extension: the largest protocol message accepted, in bytes (default 32 MiB). */
  maxMessageSize(bytes: number): LambdaEndpoint;
  /** perdure extension: observe every invocation attempt. */
  onAttemptEnd(observer: Parameters<FetchEndpoint["onAttemptEnd"]>[0]): LambdaEndpoint;
  /** perdure extension: bounds on what one invocation attempt may accumulate. */
  attemptLimits(limits: Parameters<FetchEndpoint["attemptLimits"]>[0]): LambdaEndpoint;
  /** @experimental A codec for every value written to / read from the journal. */
  journalValueCodecProvider(codecProvider: Parameters<FetchEndpoint["journalValueCodecProvider"]>[0]): LambdaEndpoint;
  /** Validates the configuration now and returns the Lambda handler to export. */
  handler(): LambdaHandler;
}

class LambdaEndpointBuilder implements LambdaEndpoint {
  private readonly inner: FetchEndpoint = fetchEndpoint();

  bind(service: ServiceDefinitionLike): LambdaEndpoint {
    this.inner.bind(service);
    return this;
  }

  withIdentityV1(...keys: string[]): LambdaEndpoint {
    this.inner.withIdentityV1(...keys);
    return this;
  }

  defaultServiceOptions(options: DefaultServiceOptions): LambdaEndpoint {
    this.inner.defaultServiceOptions(options);
    return this;
  }

  setLogger(logger: unknown): LambdaEndpoint {
    this.inner.setLogger(logger);
    return this;
  }

  maxMessageSize(bytes: number): LambdaEndpoint {
    this.inner.maxMessageSize(bytes);
    return this;
  }

  onAttemptEnd(observer: Parameters<FetchEndpoint["onAttemptEnd"]>[0]): LambdaEndpoint {
    this.inner.onAttemptEnd(observer);
    return this;
  }

  attemptLimits(limits: Parameters<FetchEndpoint["attemptLimits"]>[0]): LambdaEndpoint {
    this.inner.attemptLimits(limits);
    return this;
  }

  journalValueCodecProvider(codecProvider: Parameters<FetchEndpoint["journalValueCodecProvider"]>[0]): LambdaEndpoint {
    this.inner.journalValueCodecProvider(codecProvider);
    return this;
  }

  handler(): LambdaHandler {
    return lambdaHandler(this.inner.handler());
  }
}

/** A new endpoint builder whose `handler()` is a Lambda handler: `export const handler = endpoint().bind(svc).handler()`. */
export function endpoint(): LambdaEndpoint {
  return new LambdaEndpointBuilder();
}

/** Like the core's `createEndpointHandler`, but returns a Lambda handler (request-response mode). */
export function createEndpointHandler(options: EndpointOptions): LambdaHandler {
  const { bidirectional } = options as { bidirectional?: unknown };
  if (bidirectional) throw new Error("perdure/lambda: bidirectional mode is not possible on AWS Lambda (it buffers requests and responses)");
  return lambdaHandler(createFetchEndpointHandler({ ...options, bidirectional: false }));
}
