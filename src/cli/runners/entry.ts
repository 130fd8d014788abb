// Shared by the runtime runners: what an entry module may export, and how to turn it into something to serve.
// Web-standard only (this file runs on Node, Bun and Deno).

type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

export type Served =
  /** An endpoint builder: the runner chooses the protocol mode. */
  | { kind: "builder"; builder: { bidirectional(set?: boolean): unknown; handler(): unknown } }
  /** A ready fetch handler: its mode was fixed when it was built. */
  | { kind: "handler"; handler: { fetch: FetchFunction } | FetchFunction }
  /** A list of service definitions: the runner builds the endpoint. */
  | { kind: "services"; services: Array<{ name: string }> }
  /** No default export: the entry starts its own server (e.g. the README's `await serve(handler, { port: 9080 })`). */
  | { kind: "self-served" };

export const ENTRY_CONTRACT =
  "the entry's default export must be an endpoint builder (restate.endpoint().bind(service)), " +
  "a fetch handler (….handler(), or a (request) => Response function), or an array of services";

export function classifyEntry(mod: Record<string, unknown>, entry: string): Served {
  const value = mod.default;
  if (value === undefined) return { kind: "self-served" };
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((s) => typeof s === "object" && s !== null && typeof (s as { name?: unknown }).name === "string")) {
      throw new Error(`${entry}: the default export is an array, but not of service definitions: ${ENTRY_CONTRACT}`);
    }
    return { kind: "services", services: value as Array<{ name: string }> };
  }
  if (typeof value === "function") return { kind: "handler", handler: value as FetchFunction };
  if (typeof value === "object" && value !== null) {
    const v = value as Record<string, unknown>;
    if (typeof v.bidirectional === "function" && typeof v.handler === "function") {
      return { kind: "builder", builder: v as unknown as { bidirectional(set?: boolean): unknown; handler(): unknown } };
    }
    if (typeof v.fetch === "function") return { kind: "handler", handler: v as { fetch: FetchFunction } };
  }
  throw new Error(`${entry}: unexpected default export (${typeof value}): ${ENTRY_CONTRACT}`);
}

/** The line a runner prints once it listens; the CLI waits for it. */
export const LISTENING_PREFIX = "PERDURE_ENDPOINT_LISTENING=";

/** How long a runner waits for an entry without a default export to start its server. */
export const OWN_SERVER_WAIT_MS = 5_000;

/**
 * The port of the server that an entry without a default export started itself: `firstServer()` gives the port of
 * the first server the entry created (once it listens), or undefined while there is none. The protocol mode is then
 * the entry's own choice, so an explicit --mode is refused rather than ignored.
 */
export async function ownServerPort(entry: string, mode: string, firstServer: () => Promise<number> | undefined): Promise<number> {
  const deadline = Date.now() + OWN_SERVER_WAIT_MS;
  let port: Promise<number> | undefined;
  while (!(port = firstServer())) {
    if (Date.now() > deadline) {
      throw new Error(
        `${entry} has no default export and started no server within ${OWN_SERVER_WAIT_MS / 1000} s: ${ENTRY_CONTRACT}; ` +
          "or the entry starts its server itself (e.g. `await serve(handler, { port: 9080 })` from perdure/node)",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const listening = await port;
  if (mode !== "auto") {
    throw new Error(
      `${entry} starts its own server (it has no default export), so --mode cannot choose its protocol mode: drop --mode ` +
        "and choose the mode in the entry (.bidirectional()), or default-export the endpoint builder instead",
    );
  }
  return listening;
}
