// The fetch-standard core: Request in, Response out. Routes discovery, health and invocations; answers anything
// else with a status and a message a person can act on.

import {
  MAX_PROTOCOL_VERSION,
  MIN_PROTOCOL_VERSION,
  invocationContentType,
  isSupportedProtocolVersion,
  parseInvocationContentType,
} from "../protocol/versions.js";
import { DEFAULT_MAX_MESSAGE_SIZE } from "../protocol/frame.js";
import type { ServiceEntry } from "../definition/service-model.js";
import { buildManifest, discoveryResponse, type ProtocolMode } from "./discovery.js";
import { invokeRequestResponse, type AttemptInfo, type InvokeLimits } from "./invoke.js";
import { invokeBidirectional } from "./invoke-bidi.js";
import type { IdentityVerifier } from "./identity.js";
import { routeOf } from "./routing.js";
import { X_RESTATE_SERVER } from "./server-header.js";
import type { AttemptLimitsOption } from "../machine/limits.js";
import type { JournalValueCodec } from "./journal-codec.js";

export interface FetchCoreOptions {
  services: ServiceEntry[];
  protocolMode: ProtocolMode;
  maxMessageSize?: number;
  onAttemptEnd?: (info: AttemptInfo) => void;
  /** What one invocation attempt may accumulate (defaults: DEFAULT_ATTEMPT_LIMITS). */
  attemptLimits?: AttemptLimitsOption;
  /** The journal value codec, resolved once when the endpoint is built. */
  journalValueCodec?: Promise<JournalValueCodec>;
  /** Request identity: when set, every request except health must be signed by one of its keys. */
  identity?: IdentityVerifier;
}

export type FetchHandler = (request: Request, ...extraArgs: unknown[]) => Promise<Response>;

function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", "x-restate-server": X_RESTATE_SERVER, ...headers },
  });
}

export function createFetchCore(options: FetchCoreOptions): FetchHandler {
  const services = new Map(options.services.map((s) => [s.name, s]));
  const limits: InvokeLimits = {
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    onAttemptEnd: options.onAttemptEnd,
    attemptLimits: options.attemptLimits,
    journalValueCodec: options.journalValueCodec,
  };
  const manifest = (version: 1 | 2 | 3 | 4) =>
    buildManifest(options.services, {
      protocolMode: options.protocolMode,
      manifestVersion: version,
      minProtocolVersion: MIN_PROTOCOL_VERSION,
      maxProtocolVersion: MAX_PROTOCOL_VERSION,
    });

  const fetch: FetchHandler = async (request, ...extraArgs) => {
    let pathname = plainPathOf(request.url);
    if (pathname === undefined) {
      try {
        pathname = new URL(request.url).pathname;
      } catch {
        return errorResponse(400, `cannot parse the request URL '${request.url}'`);
      }
    }
    const route = routeOf(pathname);
    // Identity first, for every path but health (kept open for probes): an unsigned caller gets 401 and learns
    // nothing, not even which services or routes exist (no 404/405/415 before this).
    if (options.identity && route.kind !== "health") {
      const refusal = await options.identity.check(request, pathname);
      if (refusal) return errorResponse(refusal.status, refusal.message);
    }
    switch (route.kind) {
      case "health":
        if (request.method !== "GET" && request.method !== "HEAD") return errorResponse(405, "use GET for /health", { allow: "GET, HEAD" });
        return new Response("OK", { status: 200, headers: { "content-type": "text/plain", "x-restate-server": X_RESTATE_SERVER } });
      case "discover":
        if (request.method !== "GET") return errorResponse(405, "use GET for /discover", { allow: "GET" });
        return discoveryResponse(request.headers.get("accept"), manifest);
      case "unknown":
        return errorResponse(404, `no route for '${route.path}': this endpoint serves GET …/discover, GET …/health and POST …/invoke/{service}/{handler}`);
      case "invoke": {
        if (request.method !== "POST") return errorResponse(405, "use POST for …/invoke/{service}/{handler}", { allow: "POST" });
        const service = services.get(route.service);
        if (!service) {
          const known = [...services.keys()].join(", ") || "none";
          return errorResponse(404, `no service named '${route.service}' is bound to this endpoint (bound: ${known})`);
        }
        const handler = service.handlers.get(route.handler);
        if (!handler) {
          const known = [...service.handlers.keys()].join(", ");
          return errorResponse(404, `service '${service.name}' has no handler named '${route.handler}' (handlers: ${known})`);
        }
        const contentType = request.headers.get("content-type");
        const version = parseInvocationContentType(contentType);
        if (version === undefined || !isSupportedProtocolVersion(version)) {
          return errorResponse(
            415,
            `unsupported service protocol content type '${contentType ?? "(none)"}': this endpoint speaks protocol versions ` +
              `${MIN_PROTOCOL_VERSION} to ${MAX_PROTOCOL_VERSION} (${invocationContentType(MIN_PROTOCOL_VERSION)} … ${invocationContentType(MAX_PROTOCOL_VERSION)}); re-register the deployment so the server negotiates one of them`,
          );
        }
        return options.protocolMode === "BIDI_STREAM"
          ? invokeBidirectional(request, service, handler, version, extraArgs, limits)
          : invokeRequestResponse(request, service, handler, version, extraArgs, limits);
      }
    }
  };

  // What the fast entry (raw.ts) needs, kept on the handler so that only adapters that use it bundle it.
  return Object.defineProperty(fetch, CORE_STATE, { value: { options, services, limits, manifest } satisfies CoreState });
}

/** A core handler's configuration, for the fast entry (raw.ts). */
export interface CoreState {
  options: FetchCoreOptions;
  services: Map<string, ServiceEntry>;
  limits: InvokeLimits;
  manifest: (version: 1 | 2 | 3 | 4) => object;
}

/**
 * The path of an absolute http(s) URL when URL parsing would return it unchanged (no dot segments, nothing to
 * escape), without building a URL object; undefined otherwise (then `new URL` decides).
 */
export function plainPathOf(url: string): string | undefined {
  // scheme, authority (up to the first "/"), path (up to "?" or "#")
  const m = /^https?:\/\/([^/]*)(\/[^?#]*)/.exec(url);
  return m && PLAIN_PATH.test(m[2]!) && PLAIN_AUTHORITY.test(m[1]!) ? m[2] : undefined;
}

/** Paths URL parsing leaves as they are: segments of unreserved characters and %-escapes, no `.` or `..`. */
export const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[\w~%.-]*)+$/;
const PLAIN_AUTHORITY = /^[\w.-]+(?::\d+)?$|^\[[\da-fA-F:.]+\](?::\d+)?$/;

export const CORE_STATE = Symbol.for("perdure.endpoint.core");
