// Child process of `perdure dev --runtime bun`: imports the entry (TypeScript runs directly) and serves it with
// perdure/bun's serve() (full-duplex HTTP/1.1), or finds the server the entry started itself (Bun.serve).
// argv: <entry file URL> <rr|bidi|auto> <port>
import { serve } from "../../../adapters/bun/index.js";
import { serveEntry, watchServers } from "./serve-entry.js";

declare const Bun: { serve: (...args: unknown[]) => { port: number } };

const watch = watchServers(Bun, "serve", (server: { port: number }) => server.port);
await serveEntry(serve, process.argv.slice(2), watch);
