// 2. Workers bundle size: a greeter Worker bundled by esbuild (minified, ESM, workerd/worker/browser conditions, the
// way wrangler bundles) for each SDK; raw and gzip bytes, and what the Worker needs at run time.
// The official SDK is bundled from its fetch build (@restatedev/restate-sdk/fetch, WASM core inlined) with `node:*`
// left external, as wrangler does under nodejs_compat: @restatedev/restate-sdk-cloudflare-workers is not installed.
//   npx vite-node bench/bundle-size.ts
import { build, type Metafile } from "esbuild";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { ratio, table } from "./lib/table.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export interface BundleFigure { sdk: string; raw: number; gzip: number; wasm: boolean; nodeImports: string[]; biggest: string }

async function bundle(sdk: "perdure" | "official"): Promise<BundleFigure> {
  const result = await build({
    entryPoints: [path.join(root, `bench/fixtures/workers/greeter-${sdk}.ts`)],
    bundle: true, format: "esm", platform: "neutral", target: "es2022", minify: true, write: false,
    mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"],
    external: ["node:*"], metafile: true, logLevel: "warning", outfile: "worker.js",
  });
  const code = result.outputFiles[0]!.contents;
  const text = new TextDecoder().decode(code);
  const nodeImports = [...new Set(text.match(/["']node:[a-z_/]+["']/g) ?? [])].map((s) => s.slice(1, -1));
  return {
    sdk, raw: code.length, gzip: gzipSync(code, { level: 9 }).length,
    wasm: /WebAssembly\.(Module|Instance|instantiate|compile)/.test(text), nodeImports, biggest: biggestInputs(result.metafile),
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

export async function runBundleSize(): Promise<{ text: string; figures: BundleFigure[] }> {
  const figures = [await bundle("perdure"), await bundle("official")];
  const [p, o] = figures as [BundleFigure, BundleFigure];
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const text = [
    table(
      ["SDK", "raw", "gzip -9", "WebAssembly", "nodejs_compat (node: imports)", "largest inputs (raw)"],
      figures.map((f) => [f.sdk === "official" ? "official (fetch build, not the Workers package)" : f.sdk, kib(f.raw), kib(f.gzip), f.wasm ? "yes" : "no", f.nodeImports.length ? `yes (${f.nodeImports.join(", ")})` : "no", f.biggest]),
    ),
    "",
    `perdure / official gzip: ${((p.gzip / o.gzip) * 100).toFixed(1)}% (target ≤ 5%: ${p.gzip / o.gzip <= 0.05 ? "met" : "NOT met"} against the fetch build; ` +
      `against the ~590 KB gzip the issue quotes for @restatedev/restate-sdk-cloudflare-workers: ${((p.gzip / 590_000) * 100).toFixed(1)}%, ` +
      `${p.gzip <= 29_500 ? "met" : "NOT met"}); raw ratio official/perdure ${ratio(o.raw, p.raw, 1)}`,
  ].join("\n");
  return { text, figures };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runBundleSize()).text);
