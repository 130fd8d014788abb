// `perdure dev --runtime workerd`: the entry wrapped into a Worker module, bundled with esbuild the way wrangler does
// (conditions workerd/worker/browser), and served by the bare workerd binary from npm with a generated config on
// 127.0.0.1:<port>. The compatibility date and flags and [vars] come from the project's wrangler.json, wrangler.jsonc
// or wrangler.toml, if any (see wrangler-config.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleEntry } from "./bundle-entry.js";
import { wranglerSettings, type WranglerSettings } from "./wrangler-config.js";

function capnpString(text: string): string {
  return JSON.stringify(text);
}

function workerdConfig(port: number, settings: WranglerSettings): string {
  const bindings = Object.entries(settings.vars)
    .map(([name, v]) => `(name = ${capnpString(name)}, ${"text" in v ? `text = ${capnpString(v.text)}` : `json = ${capnpString(v.json)}`})`)
    .join(", ");
  const flags = settings.compatibilityFlags.map(capnpString).join(", ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .mainWorker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = ${capnpString(settings.compatibilityDate)},
  compatibilityFlags = [${flags}],
  bindings = [${bindings}],
);
`;
}

/** Writes `dir/worker.js` (the bundle) and `dir/workerd.capnp`; returns the config file. */
export async function prepareWorker(entry: string, dir: string, port: number, cwd: string, esbuildUrl: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  await bundleEntry({
    entry,
    cwd,
    esbuildUrl,
    runner: "workerd",
    runnerExport: "workerHandler",
    exportAs: (call) => `export default ${call};`,
    wrapperFile: path.join(dir, "entry.mjs"),
    outfile: path.join(dir, "worker.js"),
    target: "workerd",
    options: { format: "esm", platform: "neutral", target: "es2022", mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"] },
  });
  const config = path.join(dir, "workerd.capnp");
  fs.writeFileSync(config, workerdConfig(port, wranglerSettings(cwd)));
  return config;
}
