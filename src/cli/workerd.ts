// `perdure dev --runtime workerd`: the entry wrapped into a Worker module, bundled with esbuild the way wrangler does
// (conditions workerd/worker/browser), and served by the bare workerd binary from npm with a generated config on
// 127.0.0.1:<port>. The compatibility date and flags and [vars] come from the project's wrangler.json, wrangler.jsonc
// or wrangler.toml, if any (see wrangler-config.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { wranglerSettings, type WranglerSettings } from "./wrangler-config.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

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
  const runner = ["workerd.js", "workerd.ts"].map((f) => path.join(HERE, "runners", f)).find((f) => fs.existsSync(f));
  if (!runner) throw new Error(`perdure is incomplete: the workerd runner is missing next to ${HERE}`);
  const wrapper = path.join(dir, "entry.mjs");
  fs.writeFileSync(
    wrapper,
    [
      `import * as entry from ${JSON.stringify(entry)};`,
      `import { workerHandler } from ${JSON.stringify(runner)};`,
      `export default workerHandler(entry, ${JSON.stringify(path.basename(entry))});`,
      ``,
    ].join("\n"),
  );
  const esbuild = (await import(esbuildUrl)) as Esbuild;
  try {
    await esbuild.build({
      entryPoints: [wrapper],
      outfile: path.join(dir, "worker.js"),
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      logLevel: "silent",
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors;
    const text = errors?.length
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join("\n")
      : String(err);
    throw new Error(`cannot bundle ${path.relative(cwd, entry) || entry} for workerd:\n${text}`);
  }
  const config = path.join(dir, "workerd.capnp");
  fs.writeFileSync(config, workerdConfig(port, wranglerSettings(cwd)));
  return config;
}
