// Child process of `perdure dev --runtime deno`: imports the entry (TypeScript runs directly) and serves it with
// perdure/deno's serve() (h2c and HTTP/1.1). argv: <entry file URL> <rr|bidi|auto> <port>
import { endpoint } from "../../index.js";
import { serve } from "../../../adapters/deno/index.js";
import { classifyEntry, LISTENING_PREFIX } from "./entry.js";

declare const Deno: { args: string[] };

const [entryUrl = "", mode = "auto", port = "0"] = Deno.args;
const served = classifyEntry((await import(entryUrl)) as Record<string, unknown>, entryUrl);
const bidi = mode === "bidi";
let running: { port: number };
if (served.kind === "services") {
  const builder = endpoint();
  for (const s of served.services) builder.bind(s);
  running = serve(builder, { port: Number(port), bidirectional: bidi });
} else if (served.kind === "builder") {
  running = serve(served.builder as Parameters<typeof serve>[0], { port: Number(port), bidirectional: bidi });
} else {
  running = serve(served.handler as Parameters<typeof serve>[0], { port: Number(port) });
}
console.log(`${LISTENING_PREFIX}${running.port}`);
