// 1. In-process replay, no server, on node, bun and deno: each SDK's fetch handler called in a loop with REAL request
// bodies captured from restate-server 1.7.12 (bench/capture-vectors.ts → bench/vectors/). The step vectors are the
// last attempt of a request-response invocation, so the whole journal is replayed before the handler finishes.
// One bundle per runtime holds both SDKs (bench/fixtures/replay/loop.ts); rounds alternate between them so machine
// load hits both alike, and the best round per cell is kept. Both SDKs get a no-op logger. The figures are the
// process's CPU time per invocation (user + system): on the shared machine the wall clock mostly measures the wait
// for a core; wall-clock invocations/s are printed beside them.
// The marginal cost of a replayed entry is (µs at 200 steps − µs at 20 steps) / (entries at 200 − entries at 20).
// Isolation: by default each SDK runs in a process of its own (the loop bundle still loads both), and the processes
// alternate — perdure, official, perdure, official (REPLAY_PASSES, default 2) — keeping each cell's best. In one shared
// process the SDKs tax each other: the other SDK's garbage is collected during your rounds, and the runtime's own
// Request/Response/stream code, shared by both, is compiled for both SDKs' shapes. REPLAY_MIXED=1 runs both SDKs in one
// process with alternating rounds (the method before 2026-12-04 11:00).
// Each cell is warmed up for at least 300 invocations and REPLAY_WARMUP_MS (default 1000) before its rounds.
//   npx vite-node bench/replay.ts [msPerRound=400] [rounds=5] [runtimes=node,bun,deno]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { SDK_NAMES, type SdkName } from "./lib/sdks.js";
import { commandFor, root, type Runtime } from "./lib/servers.js";
import { machineLoad, ratio, table } from "./lib/table.js";
import type { Vector } from "./capture-vectors.js";

const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const MS_PER_ROUND = Number(ARGS[0] ?? 400);
const ROUNDS = Number(ARGS[1] ?? 5);
const RUNTIMES = (ARGS[2] ?? "node,bun,deno").split(",") as Runtime[];
const VECTORS = ["greeter", "counter", "steps20", "steps200"] as const;
const dir = path.join(root, "bench/vectors");
const MIXED = process.env.REPLAY_MIXED === "1";
const PASSES = Number(process.env.REPLAY_PASSES ?? 2);
const WARMUP_MS = Number(process.env.REPLAY_WARMUP_MS ?? 1000);

function vector(sdk: SdkName, name: string) {
  const v = JSON.parse(readFileSync(path.join(dir, `${sdk}-${name}.json`), "utf8")) as Vector;
  const body = Uint8Array.from(atob(v.body), (c) => c.charCodeAt(0));
  // Frames: 8-byte header (type u16, flags u16, length u32 big-endian) + payload. Entries = frames after Start.
  let frames = 0;
  for (let o = 0; o < body.length; frames++) o += 8 + new DataView(body.buffer, body.byteOffset + o + 4, 4).getUint32(0);
  return { name, sdk, url: `http://127.0.0.1${v.path}`, headers: v.headers, body: v.body, entries: frames - 1 };
}

export interface ReplayRow { runtime: Runtime; vector: string; entries: number; us: Record<SdkName, number>; wallUs: Record<SdkName, number> }

async function runOn(runtime: Runtime, work: string): Promise<ReplayRow[]> {
  const loop = path.join(work, "loop.mjs");
  await build({
    entryPoints: [path.join(root, "bench/fixtures/replay/loop.ts")], bundle: true, format: "esm", platform: "node",
    target: "es2022", minify: true, outfile: loop, logLevel: "warning", define: { BENCH_BIDI: "false" },
    alias: {
      "perdure-handler": path.join(root, "bench/fixtures/servers/handler-perdure.ts"),
      "official-handler": path.join(root, "bench/fixtures/servers/handler-official.ts"),
    },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const vectors = VECTORS.flatMap((name) => SDK_NAMES.map((sdk) => vector(sdk, name)));
  const input = path.join(work, "input.json");
  writeFileSync(input, JSON.stringify({ msPerRound: MS_PER_ROUND, rounds: ROUNDS, warmupMs: WARMUP_MS, vectors }));
  const { command, args } = commandFor(runtime, loop);
  // One process per SDK, alternating (or one mixed process); the best figure of each cell over the processes.
  const processes = MIXED ? [""] : Array.from({ length: PASSES }, () => SDK_NAMES).flat();
  const results: Array<{ name: string; sdk: SdkName; us: number; wallUs: number }> = [];
  for (const sdks of processes) {
    const out = execFileSync(command, args, { cwd: work, encoding: "utf8", env: { ...process.env, REPLAY_INPUT: input, REPLAY_SDKS: sdks }, maxBuffer: 1 << 24 });
    results.push(...(JSON.parse(out.trim().split("\n").at(-1)!) as typeof results));
  }
  const pick = (name: string, key: "us" | "wallUs") =>
    Object.fromEntries(SDK_NAMES.map((sdk) => [sdk, Math.min(...results.filter((r) => r.name === name && r.sdk === sdk).map((r) => r[key]))])) as Record<SdkName, number>;
  return VECTORS.map((name) => ({ runtime, vector: name, entries: vectors.find((v) => v.name === name)!.entries, us: pick(name, "us"), wallUs: pick(name, "wallUs") }));
}

export async function runReplay(): Promise<{ rows: ReplayRow[]; text: string }> {
  const work = mkdtempSync(path.join(tmpdir(), "perdure-bench-replay-"));
  const rows: ReplayRow[] = [];
  try {
    for (const runtime of RUNTIMES) rows.push(...(await runOn(runtime, work)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const cell = (runtime: Runtime, v: string) => rows.find((r) => r.runtime === runtime && r.vector === v)!;
  const marginal = (runtime: Runtime, sdk: SdkName) => {
    const [a, b] = [cell(runtime, "steps20"), cell(runtime, "steps200")];
    return (b.us[sdk] - a.us[sdk]) / (b.entries - a.entries);
  };
  const summary = RUNTIMES.map((rt) => {
    const s20 = cell(rt, "steps20");
    const x = s20.us.official / s20.us.perdure;
    return [rt, ratio(s20.us.official, s20.us.perdure), x >= 6 ? "met" : "NOT met", marginal(rt, "perdure").toFixed(2), marginal(rt, "official").toFixed(2), marginal(rt, "perdure") <= 1 ? "met" : "NOT met"];
  });
  const text = [
    table(
      ["runtime", "vector", "replayed entries", "perdure CPU µs/inv", "official CPU µs/inv", "ratio (CPU)", "perdure inv/s per core", "official inv/s per core", "perdure / official inv/s (wall)"],
      rows.map((r) => [r.runtime, r.vector, r.entries, r.us.perdure.toFixed(1), r.us.official.toFixed(1), ratio(r.us.official, r.us.perdure), (1e6 / r.us.perdure).toFixed(0), (1e6 / r.us.official).toFixed(0), `${(1e6 / r.wallUs.perdure).toFixed(0)} / ${(1e6 / r.wallUs.official).toFixed(0)}`]),
    ),
    "",
    table(["runtime", "steps20 perdure/official (CPU)", "target ≥ 6×", "marginal CPU µs per replayed entry, perdure", "official", "target ≤ 1 µs"], summary),
    "",
    MIXED
      ? `(process CPU time, both SDKs in one process, best of ${ROUNDS} alternating rounds of ${MS_PER_ROUND} ms; ${await machineLoad()})`
      : `(process CPU time, one process per SDK, ${PASSES} alternating processes each, best of ${ROUNDS} rounds of ${MS_PER_ROUND} ms per process; ${await machineLoad()})`,
  ].join("\n");
  return { rows, text };
}

if (!process.env.BENCH_RUN_ALL) {
  console.log((await runReplay()).text);
}
