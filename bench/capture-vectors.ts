// Captures REAL invocation request bodies from restate-server 1.7.12 for the in-process replay benchmark: each SDK
// serves the bench services over HTTP/1.1 (request-response), a recording wrapper keeps the last request per path,
// and we store greeter, counter (2nd call: state present) and the last attempt of the 20- and 200-step handlers (the
// whole journal replayed) under bench/vectors/<sdk>-<name>.json.
//   npx vite-node bench/capture-vectors.ts
import { writeFileSync } from "node:fs";
import path from "node:path";
import { serve } from "../adapters/node/index.js";
import { startRestateServer } from "../test/e2e/support/restate-server.js";
import { registerDeployment } from "../test/e2e/support/admin.js";
import { benchServices } from "./fixtures/sdk-services.js";
import { fetchHandler, loadSdk, SDK_NAMES, type SdkName } from "./lib/sdks.js";

export interface Vector { name: string; path: string; headers: Record<string, string>; body: string /* base64 */ }
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), "vectors");

const calls: Array<{ name: string; path: string; url: string; body: unknown }> = [
  { name: "greeter", path: "/invoke/Greeter/greet", url: "/Greeter/greet", body: "bench" },
  { name: "counter", path: "/invoke/Counter/add", url: "/Counter/k1/add", body: 1 },
  { name: "counter", path: "/invoke/Counter/add", url: "/Counter/k1/add", body: 2 },
  { name: "steps20", path: "/invoke/Steps/twenty", url: "/Steps/twenty", body: null },
  { name: "steps200", path: "/invoke/Steps/twoHundred", url: "/Steps/twoHundred", body: null },
];

async function capture(sdkName: SdkName): Promise<void> {
  const sdk = await loadSdk(sdkName);
  const inner = fetchHandler(sdk, benchServices(sdk));
  const last = new Map<string, { headers: Record<string, string>; body: Uint8Array }>();
  const recording = async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/invoke/")) {
      const body = new Uint8Array(await request.clone().arrayBuffer());
      last.set(url.pathname, { headers: Object.fromEntries(request.headers), body });
    }
    return inner(request);
  };
  const server = await startRestateServer();
  const endpoint = await serve(recording);
  try {
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
    for (const c of calls) {
      const res = await fetch(`${server.ingressUrl}${c.url}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(c.body) });
      if (!res.ok) throw new Error(`${sdkName} ${c.url}: HTTP ${res.status} ${await res.text()}`);
      await res.text();
      const rec = last.get(c.path);
      if (!rec) throw new Error(`nothing recorded for ${c.path}`);
      // Keep only what the protocol needs: the content type / accept (protocol version) and restate headers.
      const headers = Object.fromEntries(Object.entries(rec.headers).filter(([k]) => k === "content-type" || k === "accept" || k.startsWith("x-restate")));
      const v: Vector = { name: c.name, path: c.path, headers, body: btoa(String.fromCharCode(...rec.body)) };
      writeFileSync(path.join(dir, `${sdkName}-${c.name}.json`), JSON.stringify(v, null, 1) + "\n");
      console.log(`${sdkName} ${c.name}: ${rec.body.length} bytes, ${headers["content-type"]}`);
    }
  } finally {
    await endpoint.close();
    await server.stop();
  }
}

for (const name of SDK_NAMES) await capture(name);
