// 6. Heap retained per invocation: each SDK's fetch handler runs many invocations in process (the captured greeter
// and 20-step vectors, alternating) on node, bun and deno; the heap after full GCs at the end, minus the heap after the
// first half (one-off growth: optimised code, caches), divided by the invocations of the second half. perdure runs 100,000; the official SDK keeps 10–15 KB per invocation (DESIGN.md), so
// it runs 10,000 to stay within memory.
//   npx vite-node bench/heap.ts [perdureInvocations=100000] [officialInvocations=10000] [runtimes=node,bun,deno]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { SDK_NAMES, type SdkName } from "./lib/sdks.js";
import { binPath } from "../test/e2e/runtimes/support/spawn-endpoint.js";
import { root, type Runtime } from "./lib/servers.js";
import { machineLoad, table } from "./lib/table.js";
import type { Vector } from "./capture-vectors.js";

const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const COUNTS: Record<SdkName, number> = { perdure: Number(ARGS[0] ?? 100_000), official: Number(ARGS[1] ?? 10_000) };
const RUNTIMES = (ARGS[2] ?? "node,bun,deno").split(",") as Runtime[];

function command(runtime: Runtime, file: string): [string, string[]] {
  if (runtime === "node") return [process.execPath, ["--expose-gc", file]];
  if (runtime === "bun") return [binPath("bun"), ["--no-install", "run", file]];
  return [binPath("deno"), ["run", "-A", "--no-prompt", "--no-config", "--no-lock", "--v8-flags=--expose-gc", file]];
}

interface HeapFigure { runtime: Runtime; sdk: SdkName; n: number; perInvocation: number; before: number; after: number; seconds: number }

export async function runHeap(): Promise<{ text: string; figures: HeapFigure[] }> {
  const work = mkdtempSync(path.join(tmpdir(), "perdure-bench-heap-"));
  const figures: HeapFigure[] = [];
  try {
    const loop = path.join(work, "loop.mjs");
    await build({
      entryPoints: [path.join(root, "bench/fixtures/heap/loop.ts")], bundle: true, format: "esm", platform: "node",
      target: "es2022", minify: true, outfile: loop, logLevel: "warning", define: { BENCH_BIDI: "false" },
      alias: {
        "perdure-handler": path.join(root, "bench/fixtures/servers/handler-perdure.ts"),
        "official-handler": path.join(root, "bench/fixtures/servers/handler-official.ts"),
      },
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    for (const runtime of RUNTIMES) {
      for (const sdk of SDK_NAMES) {
        const vectors = ["greeter", "steps20"].map((name) => {
          const v = JSON.parse(readFileSync(path.join(root, `bench/vectors/${sdk}-${name}.json`), "utf8")) as Vector;
          return { url: `http://127.0.0.1${v.path}`, headers: v.headers, body: v.body };
        });
        const input = path.join(work, `input-${sdk}.json`);
        writeFileSync(input, JSON.stringify({ vectors }));
        const [cmd, args] = command(runtime, loop);
        const out = execFileSync(cmd, args, {
          cwd: work, encoding: "utf8", maxBuffer: 1 << 24,
          env: { ...process.env, HEAP_INPUT: input, HEAP_SDK: sdk, HEAP_N: String(COUNTS[sdk]) },
        });
        figures.push({ runtime, sdk, ...(JSON.parse(out.trim().split("\n").at(-1)!) as Omit<HeapFigure, "runtime" | "sdk">) });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const kib = (b: number) => (b / 1024).toFixed(1);
  const text = [
    table(
      ["runtime", "SDK", "invocations", "heap at half-way KiB", "heap at the end KiB", "retained bytes per invocation", "target ≈ 0 (< 64 B)"],
      figures.map((f) => [f.runtime, f.sdk, f.n, kib(f.before), kib(f.after), f.perInvocation.toFixed(1), f.sdk === "perdure" ? (f.perInvocation < 64 ? "met" : "NOT met") : ""]),
    ),
    "",
    `(heap used after 4 full GCs, slope over the second half of the run; greeter and 20-step vectors alternating; ${await machineLoad()})`,
  ].join("\n");
  return { text, figures };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runHeap()).text);
