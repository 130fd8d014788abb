// One SDK's bench Worker served by the bare workerd binary on loopback, bundled the way wrangler bundles (esbuild,
// minified, conditions workerd/worker/browser). perdure runs without compatibility flags; the official Workers package
// gets nodejs_compat (it imports node:*) and its .wasm as a separate WebAssembly module, as wrangler uploads it.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { freePort } from "../../src/local/ports.js";
import { wranglerCompatibilityDate } from "../../test/e2e/runtimes/fixtures/workers-runtime.js";
import { spawnEndpoint, type SpawnedEndpoint } from "../../test/e2e/runtimes/support/spawn-endpoint.js";
import type { SdkName } from "./sdks.js";
import { root } from "./servers.js";

const WASM = "sdk_shared_core_wasm_bindings_bg.wasm";
const wasmSource = path.join(root, "node_modules/@restatedev/restate-sdk-cloudflare-workers/dist/endpoint/handlers/vm", WASM);

export async function startWorkerd(sdk: SdkName, outDir: string): Promise<SpawnedEndpoint> {
  const dir = path.join(outDir, `workerd-${sdk}`);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(root, `bench/fixtures/workers/e2e-${sdk}.ts`)], bundle: true, format: "esm", platform: "neutral",
    target: "es2022", minify: true, mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"],
    external: ["node:*", "*.wasm"], outfile: path.join(dir, "worker.js"), logLevel: "warning",
  });
  const official = sdk === "official";
  if (official) copyFileSync(wasmSource, path.join(dir, WASM));
  const port = await freePort();
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  if (official) modules.push(`(name = "${WASM}", wasm = embed "${WASM}")`);
  const config = path.join(dir, "workerd.capnp");
  writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (
    modules = [${modules.join(", ")}],
    compatibilityDate = "${wranglerCompatibilityDate()}",
    compatibilityFlags = [${official ? '"nodejs_compat"' : ""}],
  ))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`);
  // `exec` keeps the PID: the endpoint's CPU is workerd's own.
  const endpoint = await spawnEndpoint({
    command: "sh", args: ["-c", `echo PORT=${port}; exec "$0" serve "$1"`, path.join(root, "node_modules/.bin/workerd"), config], cwd: dir,
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${endpoint.url}/__bench/counts`)).ok) return endpoint;
    } catch {
      if (i > 400) {
        await endpoint.stop();
        throw new Error(`workerd (${sdk}) did not answer: ${endpoint.logs()}`);
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
