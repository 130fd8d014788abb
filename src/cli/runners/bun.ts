// Child process of `perdure dev --runtime bun`: imports the entry (TypeScript runs directly) and serves it with
// perdure/bun's serve() (full-duplex HTTP/1.1). argv: <entry file URL> <rr|bidi|auto> <port>
import { endpoint } from "../../index.js";
import { serve, type BunGlobal } from "../../../adapters/bun/index.js";
import { classifyEntry, LISTENING_PREFIX } from "./entry.js";

declare const Bun: BunGlobal;
void Bun;

const [entryUrl = "", mode = "auto", port = "0"] = process.argv.slice(2);
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
