// `lambdaHandler(fetchHandler)`: turns any fetch-style handler (a perdure endpoint, a Hono app, …) into an AWS Lambda
// handler `(event, context) => Promise<result>`. Request-response only: Lambda buffers both directions.

import { errorMessageFrame, parseInvocationContentType } from "../../src/endpoint/adapter-api.js";
import { toFetchFunction, type FetchHandlerLike } from "../shared/types.js";
import { eventToRequest, MalformedEventError, type AlbEvent, type ApiGatewayV1Event, type ApiGatewayV2Event, type EventKind, type LambdaHttpEvent } from "./events.js";
import { buildResult, encodeResponse, LAMBDA_SYNC_RESPONSE_LIMIT, type AlbResult, type ApiGatewayV1Result, type ApiGatewayV2Result, type LambdaHttpResult, type ResultShape } from "./result.js";
import { encodeBase64 } from "./base64.js";

export type { FetchFunction, FetchHandlerLike } from "../shared/types.js";

/** The parts of the Lambda `Context` this adapter knows; the whole object is passed on to handlers. */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

/**
 * A Lambda handler: one overload per event source, each answering with that source's result shape, so that it can be
 * assigned to `@types/aws-lambda`'s handler types (`APIGatewayProxyHandler`, `APIGatewayProxyHandlerV2`,
 * `ALBHandler`, `LambdaFunctionURLHandler`) and to `Handler`; the last overload takes any of the three.
 */
export interface LambdaHandler {
  (event: ApiGatewayV1Event, context?: LambdaContext, callback?: unknown): Promise<ApiGatewayV1Result>;
  (event: ApiGatewayV2Event, context?: LambdaContext, callback?: unknown): Promise<ApiGatewayV2Result>;
  (event: AlbEvent, context?: LambdaContext, callback?: unknown): Promise<AlbResult>;
  (event: LambdaHttpEvent, context?: LambdaContext, callback?: unknown): Promise<LambdaHttpResult>;
}

export interface LambdaHandlerOptions {
  /**
   * Largest response payload (the JSON result, base64 body included) to hand back to Lambda. Default and maximum
   * useful value: 6 MB, Lambda's limit for synchronous invocations; beyond it Lambda would fail the invocation
   * with an opaque error of its own.
   */
  maxResponseBytes?: number;
}

/**
 * Wraps a fetch handler as a Lambda handler. The Lambda `context` reaches the fetch handler as its first extra
 * argument (for perdure: `ctx.request().extraArgs[0]`, as with the official SDK).
 */
export function lambdaHandler(handler: FetchHandlerLike, options: LambdaHandlerOptions = {}): LambdaHandler {
  const fetchFn = toFetchFunction(handler, "perdure/lambda: lambdaHandler");
  const limit = options.maxResponseBytes ?? LAMBDA_SYNC_RESPONSE_LIMIT;
  // The result has the shape of the event's source (buildResult follows the event kind): the overloads hold.
  const handle = async (event: LambdaHttpEvent, context?: LambdaContext): Promise<LambdaHttpResult> => {
    let translated;
    try {
      translated = eventToRequest(event);
    } catch (err) {
      if (!(err instanceof MalformedEventError)) throw err;
      return textResult({ kind: fallbackKind(event), multiValueHeaders: false }, 400, `malformed Lambda event: ${err.message}`);
    }
    const { request, kind } = translated;
    const shape: ResultShape = { kind, multiValueHeaders: translated.multiValueHeaders };
    // restate-server never compresses unless the manifest offers `lambdaCompression`, which this endpoint does not.
    const encoding = request.headers.get("content-encoding");
    if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
      return textResult(shape, 415, `request bodies with content-encoding '${encoding}' are not supported by this Lambda endpoint`);
    }
    let response: Response;
    try {
      response = await fetchFn(request, ...(context === undefined ? [] : [context]));
    } catch (err) {
      return textResult(shape, 500, `internal error while handling ${request.method} ${new URL(request.url).pathname}: ${describeError(err)}`);
    }
    const encoded = await encodeResponse(response, shape, request.method);
    if (encoded.payloadBytes <= limit) return encoded.result;
    return oversizedResult(shape, response, encoded.bodyBytes, encoded.payloadBytes, limit);
  };
  return handle as LambdaHandler;
}

/**
 * The response does not fit into Lambda's payload limit. For an invocation attempt the answer is a protocol
 * ErrorMessage (status 200, same content type): restate-server records our message as the attempt's failure,
 * visible in the invocation's status, and applies the retry policy, which also lets a later attempt succeed if the
 * output was not deterministic. Anything else (discovery, a plain route) gets a 500 with the same explanation.
 */
function oversizedResult(shape: ResultShape, response: Response, bodyBytes: number, payloadBytes: number, limit: number): LambdaHttpResult {
  const message =
    `response too large for AWS Lambda: the result payload would be ${payloadBytes} bytes (a ${bodyBytes}-byte body, ` +
    `base64-encoded), over the ${limit}-byte limit (${formatMegabytes(limit)}) for synchronous invocations. ` +
    `Keep handler outputs, ctx.run results and state written in one attempt below about ${formatMegabytes((limit * 3) / 4)}.`;
  const contentType = response.headers.get("content-type");
  const version = response.status === 200 ? parseInvocationContentType(contentType) : undefined;
  if (version === undefined) return textResult(shape, 500, message);
  const frame = errorMessageFrame(message);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return buildResult(shape, 200, headers, encodeBase64(frame), true);
}

function textResult(shape: ResultShape, status: number, message: string): LambdaHttpResult {
  const headers = new Headers({ "content-type": "application/json" });
  return buildResult(shape, status, headers, JSON.stringify({ message }), false);
}

/** Shape of the error answer when the event itself could not be classified. */
function fallbackKind(event: unknown): EventKind {
  const e = event as { version?: unknown; requestContext?: { elb?: unknown } } | null;
  if (typeof e === "object" && e !== null) {
    if (e.version === "2.0") return "apigateway-v2";
    if (typeof e.requestContext === "object" && e.requestContext !== null && e.requestContext.elb) return "alb";
  }
  return "apigateway-v1";
}

function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
