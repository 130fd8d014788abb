// Shared by the Bun and Deno runners: import the user's entry, serve it with the runtime's serve helper in the
// requested mode, and announce the port to the CLI. An entry without a default export starts its own server: the
// runner wraps the runtime's own serve function (Bun.serve / Deno.serve, which perdure's helpers call too) before
// importing it, and announces the port of the first server it starts. argv: <entry file URL> <rr|bidi|auto> <port>
import { endpoint } from "../../index.js";
import { classifyEntry, LISTENING_PREFIX, ownServerPort } from "./entry.js";

/** The shape of perdure/bun's and perdure/deno's serve(). */
type RuntimeServe = (target: any, opts: { port: number; bidirectional?: boolean }) => { port: number };

/** Watches the runtime's serve function: `host[key]` is replaced by a wrapper that notes each server's port. */
export interface ServerWatch {
  /** The port of the first server started since the watch began, once it listens. */
  firstPort(): Promise<number> | undefined;
}

export function watchServers<H extends object>(host: H, key: keyof H, portOf: (server: any) => Promise<number> | number): ServerWatch {
  let first: Promise<number> | undefined;
  const original = host[key] as unknown as (...args: unknown[]) => unknown;
  (host as Record<keyof H, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
    const server = original.apply(this, args);
    first ??= Promise.resolve(portOf(server));
    return server;
  };
  return { firstPort: () => first };
}

export async function serveEntry(serve: RuntimeServe, args: string[], watch: ServerWatch): Promise<void> {
  const [entryUrl = "", mode = "auto", portText = "0"] = args;
  const served = classifyEntry((await import(entryUrl)) as Record<string, unknown>, entryUrl);
  const port = Number(portText);
  const bidirectional = mode === "bidi";
  let running: { port: number };
  if (served.kind === "self-served") {
    running = { port: await ownServerPort(entryUrl, mode, () => watch.firstPort()) };
  } else if (served.kind === "services") {
    const builder = endpoint();
    for (const s of served.services) builder.bind(s);
    running = serve(builder, { port, bidirectional });
  } else if (served.kind === "builder") {
    running = serve(served.builder, { port, bidirectional });
  } else {
    running = serve(served.handler, { port }); // a built handler's mode is fixed
  }
  console.log(`${LISTENING_PREFIX}${running.port}`);
}
