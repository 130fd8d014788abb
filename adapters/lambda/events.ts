// Lambda HTTP events → web `Request`. Three shapes are understood:
//  - API Gateway REST (payload v1): `httpMethod`, `path`, `headers`/`multiValueHeaders`, `body`, `isBase64Encoded`.
//    restate-server sends exactly this shape (path, httpMethod, headers, base64 body) when it invokes a Lambda.
//  - API Gateway HTTP API (payload v2) and Lambda function URLs: `version: "2.0"`, `rawPath`, `rawQueryString`,
//    `requestContext.http.method`, `headers` (repeated values comma-joined), `cookies`.
//  - Application Load Balancer: like v1 plus `requestContext.elb`; query values arrive still URL-encoded.
// The types below are structural and loose on purpose, so that events typed with `@types/aws-lambda` fit them (no
// index signatures: the interfaces of @types/aws-lambda have none, and would not be assignable).

import { decodeBase64 } from "./base64.js";

type StringMap = Record<string, string | undefined>;
type MultiStringMap = Record<string, string[] | undefined>;

export interface ApiGatewayV1Event {
  version?: string;
  httpMethod: string;
  path: string;
  headers?: StringMap | null;
  multiValueHeaders?: MultiStringMap | null;
  queryStringParameters?: StringMap | null;
  multiValueQueryStringParameters?: MultiStringMap | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { domainName?: string } | null;
}

export interface ApiGatewayV2Event {
  version: string;
  rawPath: string;
  rawQueryString?: string;
  headers?: StringMap;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string }; domainName?: string };
}

export interface AlbEvent {
  httpMethod: string;
  path: string;
  headers?: StringMap;
  multiValueHeaders?: MultiStringMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: MultiStringMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: { elb: { targetGroupArn?: string } };
}

export type LambdaHttpEvent = ApiGatewayV1Event | ApiGatewayV2Event | AlbEvent;

/** Which response shape the event's source expects back. */
export type EventKind = "apigateway-v1" | "apigateway-v2" | "alb";

export interface TranslatedEvent {
  kind: EventKind;
  request: Request;
  /** ALB: answer with `multiValueHeaders` when the target group sent them (it then ignores `headers`). */
  multiValueHeaders: boolean;
}

/** The event is not something this adapter can turn into a request; becomes a 400 answer. */
export class MalformedEventError extends Error {
  override readonly name = "MalformedEventError";
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);

export function classifyEvent(event: unknown): EventKind {
  if (!isObject(event)) {
    throw new MalformedEventError(`expected an HTTP event object from API Gateway, a function URL or an ALB, got ${describe(event)}`);
  }
  if (event.version === "2.0" || typeof event.rawPath === "string") return "apigateway-v2";
  if (isObject(event.requestContext) && isObject(event.requestContext.elb)) return "alb";
  if ("httpMethod" in event || "path" in event) return "apigateway-v1";
  const keys = Object.keys(event).slice(0, 8).join(", ") || "none";
  throw new MalformedEventError(
    `not an HTTP event: expected API Gateway REST (httpMethod, path), HTTP API / function URL (version "2.0", rawPath) ` +
      `or ALB (requestContext.elb) fields; the event has keys: ${keys}`,
  );
}

/** Builds the `Request` for an event; throws MalformedEventError with a reason a person can act on. */
export function eventToRequest(event: unknown): TranslatedEvent {
  const kind = classifyEvent(event);
  const e = event as Loose;
  const v2 = kind === "apigateway-v2";
  const method = v2 ? (isObject(e.requestContext) && isObject(e.requestContext.http) ? e.requestContext.http.method : undefined) : e.httpMethod;
  const path = v2 ? e.rawPath : e.path;
  if (typeof method !== "string" || method.length === 0) {
    throw new MalformedEventError(`event has no HTTP method (${v2 ? "requestContext.http.method" : "httpMethod"})`);
  }
  if (typeof path !== "string") throw new MalformedEventError(`event has no path (${v2 ? "rawPath" : "path"})`);

  const headers = v2 ? v2Headers(e) : v1Headers(e);
  const url = requestUrl(e, headers, path, v2 ? rawQuery(e) : kind === "alb" ? albQuery(e) : v1Query(e));
  const upperMethod = method.toUpperCase();
  const body = upperMethod === "GET" || upperMethod === "HEAD" ? undefined : eventBody(e);
  let request: Request;
  try {
    request = new Request(url, { method: upperMethod, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
  } catch (err) {
    throw new MalformedEventError(`cannot build a request from the event: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { kind, request, multiValueHeaders: kind === "alb" && isObject(e.multiValueHeaders) };
}

function eventBody(e: Loose): Uint8Array | undefined {
  const body = e.body;
  if (body === undefined || body === null || body === "") return undefined;
  if (typeof body !== "string") throw new MalformedEventError(`event body must be a string, got ${describe(body)}`);
  if (e.isBase64Encoded !== true) return new TextEncoder().encode(body);
  try {
    return decodeBase64(body);
  } catch (err) {
    throw new MalformedEventError(`event body is marked isBase64Encoded but is not base64 (${(err as Error).message})`);
  }
}

function v1Headers(e: Loose): Headers {
  const headers = new Headers();
  // API Gateway and multi-value ALB target groups fill multiValueHeaders with every value: prefer it.
  if (isObject(e.multiValueHeaders)) {
    for (const [name, values] of Object.entries(e.multiValueHeaders)) {
      if (!Array.isArray(values)) continue;
      for (const value of values) if (value !== undefined && value !== null) appendHeader(headers, name, value);
    }
  } else if (isObject(e.headers)) {
    for (const [name, value] of Object.entries(e.headers)) if (value !== undefined && value !== null) appendHeader(headers, name, value);
  } else if (e.headers !== undefined && e.headers !== null) {
    throw new MalformedEventError(`event headers must be an object, got ${describe(e.headers)}`);
  }
  return headers;
}

function v2Headers(e: Loose): Headers {
  const headers = new Headers();
  if (isObject(e.headers)) {
    for (const [name, value] of Object.entries(e.headers)) if (value !== undefined && value !== null) appendHeader(headers, name, value);
  } else if (e.headers !== undefined && e.headers !== null) {
    throw new MalformedEventError(`event headers must be an object, got ${describe(e.headers)}`);
  }
  // Payload v2 moves cookies out of the headers.
  if (Array.isArray(e.cookies) && e.cookies.length > 0 && !headers.has("cookie")) headers.set("cookie", e.cookies.join("; "));
  return headers;
}

function appendHeader(headers: Headers, name: string, value: unknown): void {
  try {
    headers.append(name, String(value));
  } catch {
    throw new MalformedEventError(`event header ${JSON.stringify(name)} has an invalid name or value`);
  }
}

function v1Query(e: Loose): string {
  // API Gateway REST decodes query values: encode them again.
  const params = new URLSearchParams();
  if (isObject(e.multiValueQueryStringParameters)) {
    for (const [k, vs] of Object.entries(e.multiValueQueryStringParameters)) if (Array.isArray(vs)) for (const v of vs) params.append(k, String(v));
  } else if (isObject(e.queryStringParameters)) {
    for (const [k, v] of Object.entries(e.queryStringParameters)) if (v !== undefined && v !== null) params.append(k, String(v));
  }
  return params.toString();
}

function albQuery(e: Loose): string {
  // An ALB passes names and values as the client sent them (still URL-encoded): join them verbatim.
  const pairs: string[] = [];
  if (isObject(e.multiValueQueryStringParameters)) {
    for (const [k, vs] of Object.entries(e.multiValueQueryStringParameters)) if (Array.isArray(vs)) for (const v of vs) pairs.push(`${k}=${String(v)}`);
  } else if (isObject(e.queryStringParameters)) {
    for (const [k, v] of Object.entries(e.queryStringParameters)) if (v !== undefined && v !== null) pairs.push(`${k}=${String(v)}`);
  }
  return pairs.join("&");
}

function rawQuery(e: Loose): string {
  return typeof e.rawQueryString === "string" ? e.rawQueryString : "";
}

function requestUrl(e: Loose, headers: Headers, path: string, query: string): URL {
  const domain = isObject(e.requestContext) && typeof e.requestContext.domainName === "string" ? e.requestContext.domainName : undefined;
  // restate-server's events carry no host at all; any stand-in works, the endpoint routes on the path alone.
  const host = headers.get("host") ?? domain ?? "lambda.localhost";
  const proto = headers.get("x-forwarded-proto") === "http" ? "http" : "https";
  let url: URL;
  try {
    url = new URL(`${proto}://${host}`);
  } catch {
    url = new URL(`${proto}://lambda.localhost`);
  }
  // The setters percent-encode what needs it and never treat "//x" as a host.
  url.pathname = path.startsWith("/") ? path : `/${path}`;
  url.search = query;
  return url;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `a string (${JSON.stringify(value.slice(0, 40))})` : typeof value;
}
