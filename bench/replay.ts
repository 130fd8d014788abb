// 1. In-process replay, no server: each SDK's fetch handler called in a loop with REAL request bodies captured from
// restate-server 1.7.12 (bench/capture-vectors.ts → bench/vectors/). The step vectors are the last attempt of a
// request-response invocation, so the whole journal is replayed before the handler finishes.
// Both SDKs get a no-op logger (no console I/O in the loop); rounds alternate between the SDKs so that machine load
// hits both alike, and the best round per cell is kept.
//   npx vite-node bench/replay.ts [msPerRound=400] [rounds=5]
import { readFileSync } from "node:fs";
import path from "node:path";
import { benchServices } from "./fixtures/sdk-services.js";
import { loadSdk, SDK_NAMES, type FetchFn, type SdkName } from "./lib/sdks.js";
import { machineLoad, ratio, table } from "./lib/table.js";
import type { Vector } from "./capture-vectors.js";

// Command-line arguments apply only when run alone (run-all.ts has its own).
const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const MS_PER_ROUND = Number(ARGS[0] ?? 400);
const ROUNDS = Number(ARGS[1] ?? 5);
const VECTORS = ["greeter", "counter", "steps20", "steps200"] as const;
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), "vectors");

interface Loaded { url: string; headers: Record<string, string>; body: Uint8Array<ArrayBuffer>; entries: number }

function load(sdk: SdkName, name: string): Loaded {
  const v = JSON.parse(readFileSync(path.join(dir, `${sdk}-${name}.json`), "utf8")) as Vector;
  const body = Uint8Array.from(atob(v.body), (c) => c.charCodeAt(0));
  // Frames: 8-byte header (type u16, flags u16, length u32 big-endian) + payload. Entries = frames after Start.
  let frames = 0;
  for (let o = 0; o < body.length; frames++) o += 8 + new DataView(body.buffer, body.byteOffset + o + 4, 4).getUint32(0);
  return { url: `http://127.0.0.1${v.path}`, headers: v.headers, body, entries: frames - 1 };
}

async function makeHandler(name: SdkName): Promise<FetchFn> {
  const sdk = await loadSdk(name);
  let b = sdk.endpoint().setLogger(() => {});
  for (const s of benchServices(sdk)) b = b.bind(s);
  return b.handler().fetch as FetchFn;
}

async function once(fetch: FetchFn, v: Loaded): Promise<number> {
  const res = await fetch(new Request(v.url, { method: "POST", headers: v.headers, body: v.body }));
  const out = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200 || !endsWithOutputAndEnd(out)) throw new Error(`replay answered ${res.status} without OutputCommand + End (${out.length} bytes)`);
  return out.length;
}

// The replay must really finish the invocation: the answer's last two frames are OutputCommand (0x0401) and End (0x0003).
function endsWithOutputAndEnd(out: Uint8Array): boolean {
  const types: number[] = [];
  for (let o = 0; o + 8 <= out.length; ) {
    types.push((out[o]! << 8) | out[o + 1]!);
    o += 8 + new DataView(out.buffer, out.byteOffset + o + 4, 4).getUint32(0);
  }
  return types.at(-2) === 0x0401 && types.at(-1) === 0x0003;
}

/** µs per invocation over one timed round. */
async function round(fetch: FetchFn, v: Loaded): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MS_PER_ROUND) {
    for (let i = 0; i < 20; i++) await once(fetch, v);
    n += 20;
    t = performance.now();
  }
  return ((t - t0) * 1000) / n;
}

export interface ReplayRow { vector: string; entries: number; us: Record<SdkName, number> }

export async function runReplay(): Promise<{ rows: ReplayRow[]; text: string }> {
  const handlers = {} as Record<SdkName, FetchFn>;
  for (const name of SDK_NAMES) handlers[name] = await makeHandler(name);
  const rows: ReplayRow[] = [];
  for (const vector of VECTORS) {
    const vs = {} as Record<SdkName, Loaded>;
    for (const name of SDK_NAMES) {
      vs[name] = load(name, vector);
      // Sanity: the handler must really complete with these bytes (an OutputCommand + End), then warm up.
      for (let i = 0; i < 300; i++) await once(handlers[name], vs[name]);
    }
    const best = { perdure: Infinity, official: Infinity } as Record<SdkName, number>;
    for (let r = 0; r < ROUNDS; r++) for (const name of SDK_NAMES) best[name] = Math.min(best[name], await round(handlers[name], vs[name]));
    rows.push({ vector, entries: vs.perdure.entries, us: best });
  }
  const byName = Object.fromEntries(rows.map((r) => [r.vector, r]));
  const lin = (n: SdkName) => byName.steps200!.us[n] / byName.steps20!.us[n];
  const text = [
    table(
      ["vector", "replayed entries", "perdure inv/s", "official inv/s", "ratio", "perdure µs/inv", "official µs/inv", "perdure µs/entry", "official µs/entry"],
      rows.map((r) => [
        r.vector, r.entries,
        (1e6 / r.us.perdure).toFixed(0), (1e6 / r.us.official).toFixed(0), ratio(r.us.official, r.us.perdure),
        r.us.perdure.toFixed(1), r.us.official.toFixed(1),
        (r.us.perdure / r.entries).toFixed(2), (r.us.official / r.entries).toFixed(2),
      ]),
    ),
    "",
    `Linearity (µs per invocation, 200 steps / 20 steps; target ≤ 11): perdure ${lin("perdure").toFixed(2)}, official ${lin("official").toFixed(2)}`,
    `Target ≥ 3× on steps20 / steps200: ${["steps20", "steps200"].map((v) => `${v} ${ratio(byName[v]!.us.official, byName[v]!.us.perdure)} ${byName[v]!.us.official / byName[v]!.us.perdure >= 3 ? "met" : "NOT met"}`).join(", ")}`,
    `(${await machineLoad()})`,
  ].join("\n");
  return { rows, text };
}

if (!process.env.BENCH_RUN_ALL) {
  console.log((await runReplay()).text);
}
