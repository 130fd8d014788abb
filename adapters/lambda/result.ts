// Web `Response` → the result object API Gateway (v1, v2), function URLs and ALBs expect. Bodies always go back
// base64-encoded (`isBase64Encoded: true`): protocol frames are binary.

import { encodeBase64 } from "./base64.js";
import type { EventKind } from "./events.js";

/** AWS Lambda's limit for a synchronous invocation's response payload: 6 MB (6 × 1024 × 1024 bytes). */
export const LAMBDA_SYNC_RESPONSE_LIMIT = 6 * 1024 * 1024;

export interface ApiGatewayV1Result {
  statusCode: number;
  headers: Record<string, string>;
  /** Only when a header has several values (e.g. more than one set-cookie). */
  multiValueHeaders?: Record<string, string[]>;
  isBase64Encoded: boolean;
  body: string;
}

export interface ApiGatewayV2Result {
  statusCode: number;
  headers: Record<string, string>;
  /** Payload v2 carries set-cookie values here instead of in the headers. */
  cookies?: string[];
  isBase64Encoded: boolean;
  body: string;
}

export interface AlbResult {
  statusCode: number;
  statusDescription: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  isBase64Encoded: boolean;
  body: string;
}

export type LambdaHttpResult = ApiGatewayV1Result | ApiGatewayV2Result | AlbResult;

export interface ResultShape {
  kind: EventKind;
  /** ALB target group with multi-value headers enabled. */
  multiValueHeaders: boolean;
}

/** Builds the result object around an already encoded body; `body` is ASCII (base64 or JSON we wrote). */
export function buildResult(
  shape: ResultShape,
  status: number,
  headers: Headers,
  body: string,
  isBase64Encoded: boolean,
): LambdaHttpResult {
  const single: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") single[name] = value;
  });
  const cookies = headers.getSetCookie();
  switch (shape.kind) {
    case "apigateway-v2":
      return { statusCode: status, headers: single, ...(cookies.length > 0 ? { cookies } : {}), isBase64Encoded, body };
    case "alb": {
      const statusDescription = `${status} ${reasonPhrase(status)}`.trim();
      if (shape.multiValueHeaders) {
        const multi: Record<string, string[]> = {};
        for (const [name, value] of Object.entries(single)) multi[name] = [value];
        if (cookies.length > 0) multi["set-cookie"] = cookies;
        return { statusCode: status, statusDescription, multiValueHeaders: multi, isBase64Encoded, body };
      }
      // Without multi-value headers an ALB takes one value per name: keep the last cookie, as it would.
      if (cookies.length > 0) single["set-cookie"] = cookies[cookies.length - 1]!;
      return { statusCode: status, statusDescription, headers: single, isBase64Encoded, body };
    }
    case "apigateway-v1": {
      if (cookies.length === 1) single["set-cookie"] = cookies[0]!;
      const result: ApiGatewayV1Result = { statusCode: status, headers: single, isBase64Encoded, body };
      if (cookies.length > 1) result.multiValueHeaders = { "set-cookie": cookies };
      return result;
    }
  }
}

export interface EncodedResponse {
  result: LambdaHttpResult;
  /** Size of the result as Lambda serialises it (JSON), in bytes. */
  payloadBytes: number;
  /** Size of the raw response body before base64. */
  bodyBytes: number;
}

/** Reads the whole response body and encodes the result; does not check any limit. */
export async function encodeResponse(response: Response, shape: ResultShape, method: string): Promise<EncodedResponse> {
  const bytes = method === "HEAD" || response.body === null ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
  if (method === "HEAD") await response.body?.cancel().catch(() => {});
  const result = buildResult(shape, response.status, response.headers, encodeBase64(bytes), true);
  return { result, payloadBytes: serialisedSize(result), bodyBytes: bytes.byteLength };
}

/** JSON size of a result without stringifying its (possibly 6 MB) body a second time. */
export function serialisedSize(result: LambdaHttpResult): number {
  const withoutBody = JSON.stringify({ ...result, body: "" });
  // The body is base64 or JSON text that we produced, so one character is one byte when it is ASCII; measure otherwise.
  const body = result.isBase64Encoded ? result.body.length : new TextEncoder().encode(JSON.stringify(result.body)).length - 2;
  return new TextEncoder().encode(withoutBody).length + body;
}

function reasonPhrase(status: number): string {
  return REASONS[status] ?? "";
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};
