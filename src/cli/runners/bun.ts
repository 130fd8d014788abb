// Child process of `perdure dev --runtime bun`: imports the entry (TypeScript runs directly) and serves it with
// perdure/bun's serve() (full-duplex HTTP/1.1). argv: <entry file URL> <rr|bidi|auto> <port>
import { serve } from "../../../adapters/bun/index.js";
import { serveEntry } from "./serve-entry.js";

await serveEntry(serve, process.argv.slice(2));
