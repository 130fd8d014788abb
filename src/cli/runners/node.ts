// Child process of `perdure dev --runtime node`: imports the entry and serves it with perdure/node's listen() (h2c and
// HTTP/1.1 on one port). argv: <entry file URL> <rr|bidi|auto> <port>. With PERDURE_ESBUILD_URL set, TypeScript files
// are compiled on load (see ts-loader.ts).
import { register } from "node:module";
import { endpoint } from "../../index.js";
import { listen } from "../../../adapters/node/index.js";
import { classifyEntry, LISTENING_PREFIX } from "./entry.js";

const [entryUrl = "", mode = "auto", port = "0"] = process.argv.slice(2);
const esbuildUrl = process.env.PERDURE_ESBUILD_URL;
if (esbuildUrl) register(new URL("./ts-loader.js", import.meta.url), { data: { esbuildUrl } });

const served = classifyEntry((await import(entryUrl)) as Record<string, unknown>, entryUrl);
const bidi = mode === "bidi";
let target: Parameters<typeof listen>[0];
if (served.kind === "services") {
  const builder = endpoint();
  for (const s of served.services) builder.bind(s);
  target = builder.bidirectional(bidi).handler();
} else if (served.kind === "builder") {
  served.builder.bidirectional(bidi);
  target = served.builder as Parameters<typeof listen>[0];
} else {
  target = served.handler;
}
const server = await listen(target, Number(port));
console.log(`${LISTENING_PREFIX}${server.port}`);
const stop = () => void server.close().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
