// Shared by the Bun and Deno runners: import the user's entry, serve it with the runtime's serve helper in the
// requested mode, and announce the port to the CLI. argv: <entry file URL> <rr|bidi|auto> <port>
import { endpoint } from "../../index.js";
import { classifyEntry, LISTENING_PREFIX } from "./entry.js";

/** The shape of perdure/bun's and perdure/deno's serve(). */
type RuntimeServe = (target: any, opts: { port: number; bidirectional?: boolean }) => { port: number };

export async function serveEntry(serve: RuntimeServe, args: string[]): Promise<void> {
  const [entryUrl = "", mode = "auto", portText = "0"] = args;
  const served = classifyEntry((await import(entryUrl)) as Record<string, unknown>, entryUrl);
  const port = Number(portText);
  const bidirectional = mode === "bidi";
  let running: { port: number };
  if (served.kind === "services") {
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
