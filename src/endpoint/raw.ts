// The endpoint's internal fast entry, for adapters that already hold the request as bytes and header pairs (Node's
// http module): discovery, and an invocation in request-response mode, run without building a WHATWG Request or
// Response. Only the plain cases take it — GET …/discover, or POST to a bound handler with a supported content type,
// in request-response mode without eager-run streaming — and only without identity keys or a journal value codec;
// for anything else `prepare` returns undefined and the adapter uses the fetch handler, which is the public shape.

import { isSupportedProtocolVersion, parseInvocationContentType } from "../protocol/versions.js";
import { discoveryAnswer } from "./discovery.js";
import { CORE_STATE, PLAIN_PATH, type CoreState } from "./fetch-handler.js";
import { invokeRequestResponseBytes } from "./invoke.js";
import { routeOf } from "./routing.js";

/** The answer of a fast invocation: always a whole body. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Runs the invocation once the adapter has the whole body. */
export type RawInvocation = (body: Uint8Array) => Promise<RawResponse>;

/**
 * Called with the request line and headers (`rawHeaders`: name, value, name, value…, as Node gives them) before the
 * body is read: a function to call with the whole body, or undefined when this request must go through fetch.
 */
export type RawPrepare = (method: string, url: string, rawHeaders: readonly string[]) => RawInvocation | undefined;

const prepared = new WeakMap<CoreState, RawPrepare>();

/** The fast entry of a core fetch handler (or of an object whose `fetch` is one), if it has one. */
export function rawPrepareOf(handler: unknown): RawPrepare | undefined {
  if (typeof handler !== "function" && (typeof handler !== "object" || handler === null)) return undefined;
  let state = (handler as Record<symbol, unknown>)[CORE_STATE] as CoreState | undefined;
  const fetch = (handler as { fetch?: unknown }).fetch;
  if (state === undefined && typeof fetch === "function") state = (fetch as unknown as Record<symbol, unknown>)[CORE_STATE] as CoreState | undefined;
  if (state === undefined) return undefined;
  let prepare = prepared.get(state);
  if (!prepare) prepared.set(state, (prepare = prepareFor(state)));
  return prepare;
}

function prepareFor({ options, services, limits, manifest }: CoreState): RawPrepare {
  return (method, url, rawHeaders) => {
    // Identity checks and journal value codecs (async decode of every frame) take the fetch path.
    if (options.identity || limits.journalValueCodec) return undefined;
    const query = url.indexOf("?");
    const pathname = query < 0 ? url : url.slice(0, query);
    // Only paths that URL parsing would leave as they are (no dot segments, nothing to escape).
    if (!PLAIN_PATH.test(pathname)) return undefined;
    const route = routeOf(pathname);
    if (route.kind === "discover" && method === "GET") {
      const accept = new PairHeaders(rawHeaders).get("accept");
      return async () => {
        const answer = discoveryAnswer(accept, manifest);
        return { status: answer.status, headers: answer.headers, body: utf8.encode(answer.body) };
      };
    }
    if (route.kind !== "invoke" || method !== "POST" || options.protocolMode !== "REQUEST_RESPONSE") return undefined;
    const service = services.get(route.service);
    const handler = service?.handlers.get(route.handler);
    if (!service || !handler || handler.execution.eagerRuns) return undefined;
    const headers = new PairHeaders(rawHeaders);
    const version = parseInvocationContentType(headers.get("content-type"));
    if (version === undefined || !isSupportedProtocolVersion(version)) return undefined;
    return async (body) => {
      const answer = await invokeRequestResponseBytes(body, headers as unknown as Headers, service, handler, version, [], limits);
      return { status: 200, headers: answer.headers, body: answer.body };
    };
  };
}

const utf8 = new TextEncoder();

/**
 * Request headers from name/value pairs, with the reading side of `Headers` (names case-insensitive, repeated
 * fields joined with ", ", iteration sorted by name) — what handlers see as the attempt's headers.
 */
export class PairHeaders {
  private map: Map<string, string> | undefined;

  constructor(private readonly pairs: readonly string[]) {}

  private entriesMap(): Map<string, string> {
    if (this.map) return this.map;
    const byName = new Map<string, string>();
    for (let i = 0; i + 1 < this.pairs.length; i += 2) {
      const name = this.pairs[i]!.toLowerCase();
      if (name.startsWith(":")) continue;
      const prior = byName.get(name);
      byName.set(name, prior === undefined ? this.pairs[i + 1]! : `${prior}, ${this.pairs[i + 1]!}`);
    }
    return (this.map = new Map([...byName].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))));
  }

  get(name: string): string | null {
    return this.entriesMap().get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.entriesMap().has(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string, parent: PairHeaders) => void): void {
    for (const [name, value] of this.entriesMap()) callback(value, name, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.entriesMap().entries();
  }

  keys(): IterableIterator<string> {
    return this.entriesMap().keys();
  }

  values(): IterableIterator<string> {
    return this.entriesMap().values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  getSetCookie(): string[] {
    return [];
  }
}
