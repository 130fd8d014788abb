// Child process of `perdure dev --runtime deno`: imports the entry (TypeScript runs directly) and serves it with
// perdure/deno's serve() (h2c and HTTP/1.1). argv: <entry file URL> <rr|bidi|auto> <port>
import { serve } from "../../../adapters/deno/index.js";
import { serveEntry } from "./serve-entry.js";

declare const Deno: { args: string[] };

await serveEntry(serve, Deno.args);
