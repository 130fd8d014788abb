// The greeter Worker bundle that the CI budget (test/unit/bundle/workers-budget.test.ts), the size benchmark
// (bench/bundle-size.ts) and the per-module breakdown (bench/bundle-breakdown.ts) all measure: one source, one set
// of esbuild options — those wrangler uses (minified ESM, platform neutral, conditions workerd/worker/browser).
import { build, type BuildOptions, type Metafile } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The smallest useful Worker: one service, one handler, the default fetch handler. */
export const GREETER_SOURCE = `
import * as restate from "./src/index.js";
const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (ctx, name) => \`Hello \${name}\` },
});
export default restate.endpoint().bind(greeter).handler();
`;

/** wrangler's esbuild settings for a Worker without nodejs_compat. */
export const WRANGLER_OPTIONS: BuildOptions = {
  bundle: true, format: "esm", platform: "neutral", target: "es2022", minify: true, write: false,
  mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"], metafile: true, logLevel: "silent",
};

export interface GreeterBundle { code: Uint8Array; text: string; metafile: Metafile; map: string | undefined }

/** Bundles `source` (default: the greeter) from the repository root; `sourcemap` adds the map for attribution. */
export async function bundleGreeter(source = GREETER_SOURCE, sourcemap = false): Promise<GreeterBundle> {
  const result = await build({
    ...WRANGLER_OPTIONS,
    stdin: { contents: source, resolveDir: ROOT, sourcefile: "worker.ts", loader: "ts" },
    outfile: path.join(ROOT, "worker.js"),
    sourcemap: sourcemap ? "external" : false,
  });
  const js = result.outputFiles!.find((f) => f.path.endsWith(".js"))!;
  const map = result.outputFiles!.find((f) => f.path.endsWith(".map"));
  return { code: js.contents, text: js.text, metafile: result.metafile!, map: map?.text };
}
