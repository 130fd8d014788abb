// Child process of `perdure dev --runtime deno`: imports the entry (TypeScript runs directly) and serves it with
// perdure/deno's serve() (h2c and HTTP/1.1), or finds the server the entry started itself (Deno.serve).
// argv: <entry file URL> <rr|bidi|auto> <port>
import { serve } from "../../../adapters/deno/index.js";
import { serveEntry, watchServers } from "./serve-entry.js";

declare const Deno: { args: string[]; serve: (...args: unknown[]) => { addr: { port: number } } };

const watch = watchServers(Deno, "serve", (server: { addr: { port: number } }) => server.addr.port);
await serveEntry(serve, Deno.args, watch);
