// The endpoint's internal fast entry, for adapters that already hold the request as bytes and header pairs (Node's
// http module): discovery, and an invocation in request-response mode, run without building a WHATWG Request or
// Response. Only the plain cases take it — GET …/discover, or POST to a bound handler with a supported content type,
// in request-response mode without eager-run streaming — and only without identity keys;
// for anything else `prepare` returns undefined and the adapter uses the fetch handler, which is the public shape.

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

const RAW_PREPARE = Symbol.for("perdure.endpoint.rawPrepare");

export function attachRawPrepare<T extends object>(fetch: T, prepare: RawPrepare): T {
  Object.defineProperty(fetch, RAW_PREPARE, { value: prepare });
  return fetch;
}

/** The fast entry of a core fetch handler (or of an object whose `fetch` is one), if it has one. */
export function rawPrepareOf(handler: unknown): RawPrepare | undefined {
  if (typeof handler !== "function" && (typeof handler !== "object" || handler === null)) return undefined;
  const own = (handler as Record<symbol, unknown>)[RAW_PREPARE];
  if (typeof own === "function") return own as RawPrepare;
  const fetch = (handler as { fetch?: unknown }).fetch;
  const inner = typeof fetch === "function" ? (fetch as unknown as Record<symbol, unknown>)[RAW_PREPARE] : undefined;
  return typeof inner === "function" ? (inner as RawPrepare) : undefined;
}

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
