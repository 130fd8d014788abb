// The same saga as a Cloudflare Worker (Workers serve request-response over HTTP/1.1):
//   npx wrangler dev examples/holiday/worker.ts
//   curl localhost:9070/deployments --json '{"uri": "http://127.0.0.1:8787", "use_http_11": true}'
import endpoint from "./index.js";

export default endpoint.handler();
