// 2. Workers bundle size: a greeter Worker bundled by esbuild (minified, ESM, workerd/worker/browser conditions, the
// way wrangler bundles) for each SDK; raw and gzip bytes, and what the Worker needs at run time.
// The official side is its Workers package (@restatedev/restate-sdk-cloudflare-workers), bundled the same way with
// `node:*` left external (it needs nodejs_compat) and its WebAssembly core, which wrangler uploads as a separate
// module, counted separately (gzip -9 of the .wasm) and added to the total.
// perdure is measured twice: the CI greeter (test/unit/bundle/workers-budget.test.ts, bench/lib/workers-bundle.ts:
// one service, nothing else), which the issue-17 target applies to, and the shared fixture both SDKs run
// (bench/fixtures/workers/greeter-*.ts: all five bench services are defined, the greeter is bound), so that the
// side-by-side row compares the same source. The fixture pulls in more of the SDK (objects, workflows, ctx.run,
// calls), which is the difference between the two perdure rows.
//   npx vite-node bench/bundle-size.ts
import { build, type Metafile } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { table } from "./lib/table.js";
import { bundleGreeter, WRANGLER_OPTIONS } from "./lib/workers-bundle.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export interface BundleFigure { sdk: string; raw: number; gzip: number; wasmGzip: number; wasm: boolean; nodeImports: string[]; biggest: string }

const WASM = "node_modules/@restatedev/restate-sdk-cloudflare-workers/dist/endpoint/handlers/vm/sdk_shared_core_wasm_bindings_bg.wasm";

async function bundle(sdk: "perdure" | "official"): Promise<BundleFigure> {
  const result = await build({
    ...WRANGLER_OPTIONS, // the CI budget's options; `node:*` and the .wasm stay external for the official package
    entryPoints: [path.join(root, `bench/fixtures/workers/greeter-${sdk}.ts`)],
    external: ["node:*", "*.wasm"], logLevel: "warning", outfile: "worker.js",
  });
  const code = result.outputFiles![0]!.contents;
  const text = new TextDecoder().decode(code);
  const nodeImports = [...new Set(text.match(/["']node:[a-z_/]+["']/g) ?? [])].map((s) => s.slice(1, -1));
  const wasmImport = /["'][^"']*\.wasm["']/.test(text);
  return {
    sdk, raw: code.length, gzip: gzipSync(code, { level: 9 }).length,
    wasmGzip: wasmImport ? gzipSync(readFileSync(path.join(root, WASM)), { level: 9 }).length : 0,
    wasm: wasmImport || /WebAssembly\.(Module|Instance|instantiate|compile)/.test(text), nodeImports, biggest: biggestInputs(result.metafile!),
  };
}

// The three largest packages / src folders in the output, to say where the bytes come from.
function biggestInputs(meta: Metafile): string {
  const by: Record<string, number> = {};
  for (const out of Object.values(meta.outputs)) {
    for (const [file, info] of Object.entries(out.inputs)) {
      const key = file.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*/, "$1").replace(/^src\/([^/]+).*/, "src/$1");
      by[key] = (by[key] ?? 0) + info.bytesInOutput;
    }
  }
  return Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} KiB`).join(", ");
}

/** The CI budget's greeter (same source and esbuild options as test/unit/bundle/workers-budget.test.ts). */
async function ciGreeter(): Promise<BundleFigure> {
  const b = await bundleGreeter();
  const nodeImports = [...new Set(b.text.match(/["']node:[a-z_/]+["']/g) ?? [])].map((s) => s.slice(1, -1));
  return {
    sdk: "perdure, CI greeter", raw: b.code.length, gzip: gzipSync(b.code, { level: 9 }).length, wasmGzip: 0,
    wasm: /WebAssembly\./.test(b.text), nodeImports, biggest: biggestInputs(b.metafile),
  };
}

export async function runBundleSize(): Promise<{ text: string; figures: BundleFigure[] }> {
  const ci = await ciGreeter();
  const figures = [ci, await bundle("perdure"), await bundle("official")];
  const [p, f, o] = figures as [BundleFigure, BundleFigure, BundleFigure];
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const total = (f: BundleFigure) => f.gzip + f.wasmGzip;
  const text = [
    table(
      ["SDK", "JS raw", "JS gzip -9", "WebAssembly gzip -9", "total gzip (bytes)", "nodejs_compat (node: imports)", "largest inputs (raw)"],
      figures.map((f) => [f.sdk === "official" ? "official Workers package 1.17.2, bench fixture" : f.sdk === "perdure" ? "perdure, bench fixture" : f.sdk, kib(f.raw), kib(f.gzip), f.wasm ? kib(f.wasmGzip) : "none", total(f).toLocaleString("en"), f.nodeImports.length ? `yes (${f.nodeImports.join(", ")})` : "no", f.biggest]),
    ),
    "",
    `perdure / official total gzip (bench fixture): ${((total(f) / total(o)) * 100).toFixed(1)}%; perdure CI greeter ${total(p).toLocaleString("en")} B gzip: ` +
      `target ≤ 30,000 B ${total(p) <= 30_000 ? "met" : "NOT met"}, stretch ≤ 15,000 B ${total(p) <= 15_000 ? "met" : "NOT met"}`,
  ].join("\n");
  return { text, figures };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runBundleSize()).text);
