// Child process of `perdure dev --runtime node`: imports the entry and serves it with perdure/node's listen() (h2c and
// HTTP/1.1 on one port), or, when the entry has no default export, finds the server the entry started itself.
// argv: <entry file URL> <rr|bidi|auto> <port>. With PERDURE_ESBUILD_URL set, TypeScript files are compiled on load
// (see ts-loader.ts).
import { register } from "node:module";
import * as net from "node:net";
import { endpoint } from "../../index.js";
import { listen } from "../../../adapters/node/index.js";
import { classifyEntry, LISTENING_PREFIX, ownServerPort, type Served } from "./entry.js";

const [entryUrl = "", mode = "auto", port = "0"] = process.argv.slice(2);
const esbuildUrl = process.env.PERDURE_ESBUILD_URL;
if (esbuildUrl) register(new URL("./ts-loader.js", import.meta.url), { data: { esbuildUrl } });

// Every Node server (http, http2, perdure/node's serve or listen) listens through net.Server#listen: note them
// before the entry runs, so that an entry that starts its own server can be found (the first one is the endpoint).
const started: net.Server[] = [];
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  started.push(this);
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;

function portOf(server: net.Server): Promise<number> {
  const address = () => (server.address() as net.AddressInfo).port;
  if (server.listening) return Promise.resolve(address());
  return new Promise((resolve, reject) => {
    server.once("listening", () => resolve(address()));
    server.once("error", reject);
  });
}

/** Serves a default export with listen(); resolves to the port and a stop function. */
async function serveDefaultExport(served: Exclude<Served, { kind: "self-served" }>): Promise<{ port: number; close(): Promise<void> }> {
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
  return listen(target, Number(port));
}

const served = classifyEntry((await import(entryUrl)) as Record<string, unknown>, entryUrl);
let running: { port: number; close(): Promise<void> };
if (served.kind === "self-served") {
  const ownPort = await ownServerPort(entryUrl, mode, () => (started[0] ? portOf(started[0]) : undefined));
  running = {
    port: ownPort,
    close: async () => void (await Promise.all(started.map((s) => new Promise((resolve) => s.close(resolve))))),
  };
} else {
  running = await serveDefaultExport(served);
}
console.log(`${LISTENING_PREFIX}${running.port}`);
const stop = () => void running.close().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
