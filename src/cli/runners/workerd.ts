// Bundled into the Worker that `perdure dev --runtime workerd` serves: turns the entry's default export into the
// Worker's `{ fetch }` (Workers serve request-response over HTTP/1.1 only). Web-standard only.
import { endpoint } from "../../index.js";
import { classifyEntry, ENTRY_CONTRACT } from "./entry.js";

type FetchFunction = (request: Request, ...extra: any[]) => Promise<Response> | Response;

export function workerHandler(mod: Record<string, unknown>, entryName: string): { fetch: FetchFunction } {
  const served = classifyEntry(mod, entryName);
  if (served.kind === "self-served") {
    throw new Error(`${entryName} has no default export: a Worker is its module's default export (${ENTRY_CONTRACT})`);
  }
  if (served.kind === "services") {
    const builder = endpoint();
    for (const s of served.services) builder.bind(s);
    return builder.handler();
  }
  if (served.kind === "builder") {
    served.builder.bidirectional(false);
    return served.builder.handler() as { fetch: FetchFunction };
  }
  const handler = served.handler;
  return typeof handler === "function" ? { fetch: handler } : handler;
}
