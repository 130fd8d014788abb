// 3. Cold start: process spawn → first successful discovery response (GET /discover, 200), per runtime, for each
// SDK's bundled server (bench/lib/servers.ts). Runs alternate between the SDKs; median of RUNS. Also: spawn → first
// answered invocation (the captured greeter request, bench/vectors/), which is where a lazily compiled WASM core would
// show, and the floor: the same runtime and server with no SDK at all.
//   npx vite-node bench/cold-start.ts [runs=7]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../src/local/ports.js";
import { readFileSync } from "node:fs";
import { bundleServer, commandFor, DISCOVERY_ACCEPT, root, type Runtime } from "./lib/servers.js";
import type { Vector } from "./capture-vectors.js";
import { SDK_NAMES, type SdkName } from "./lib/sdks.js";
import { machineLoad, median, ratio, table } from "./lib/table.js";

// Command-line arguments apply only when run alone (run-all.ts has its own).
const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const RUNS = Number(ARGS[0] ?? 7);
const RUNTIMES: Runtime[] = ["node", "bun", "deno"];

interface Probe { path: string; init: RequestInit }
const discovery: Probe = { path: "/discover", init: { headers: { accept: DISCOVERY_ACCEPT } } };
function greeterProbe(sdk: SdkName): Probe {
  const v = JSON.parse(readFileSync(path.join(root, `bench/vectors/${sdk}-greeter.json`), "utf8")) as Vector;
  return { path: v.path, init: { method: "POST", headers: v.headers, body: Uint8Array.from(atob(v.body), (c) => c.charCodeAt(0)) } };
}

async function coldStartMs(runtime: Runtime, bundle: string, probe: Probe = discovery): Promise<number> {
  const port = await freePort();
  const { command, args } = commandFor(runtime, bundle);
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: path.dirname(bundle), env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${runtime} exited with ${child.exitCode}`);
      if (performance.now() - t0 > 20_000) throw new Error(`${runtime}: no discovery answer within 20 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${probe.path}`, probe.init);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
  }
}

export async function runColdStart(): Promise<{ text: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "perdure-bench-cold-"));
  const rows: (string | number)[][] = [];
  try {
    for (const runtime of RUNTIMES) {
      const bundles = {} as Record<SdkName, string>;
      for (const sdk of SDK_NAMES) bundles[sdk] = await bundleServer(runtime, sdk, false, dir);
      const bare = await bundleServer(runtime, "bare", false, dir);
      const times = { perdure: [] as number[], official: [] as number[] };
      const firstCall = { perdure: [] as number[], official: [] as number[] };
      const floor: number[] = [];
      for (const sdk of SDK_NAMES) await coldStartMs(runtime, bundles[sdk]); // warm the OS file cache
      await coldStartMs(runtime, bare);
      for (let i = 0; i < RUNS; i++) {
        floor.push(await coldStartMs(runtime, bare));
        for (const sdk of SDK_NAMES) {
          times[sdk].push(await coldStartMs(runtime, bundles[sdk]));
          firstCall[sdk].push(await coldStartMs(runtime, bundles[sdk], greeterProbe(sdk)));
        }
      }
      const p = median(times.perdure), o = median(times.official), f = median(floor);
      const pc = median(firstCall.perdure), oc = median(firstCall.official);
      const min = (xs: number[]) => Math.min(...xs).toFixed(0);
      // Time above the floor is what the SDK adds; under load noise the floor can exceed a median, then it says n/a.
      const aboveFloor = p > f && o > f ? ratio(p - f, o - f) : "n/a (noise)";
      rows.push([
        runtime, `${p.toFixed(0)} / ${min(times.perdure)}`, `${o.toFixed(0)} / ${min(times.official)}`, ratio(p, o),
        `${f.toFixed(0)} / ${min(floor)}`, (p - f).toFixed(0), (o - f).toFixed(0), p - f <= 10 ? "met" : "NOT met", aboveFloor, `${pc.toFixed(0)} / ${min(firstCall.perdure)}`, `${oc.toFixed(0)} / ${min(firstCall.official)}`, ratio(pc, oc),
      ]);
      console.error(`cold start ${runtime}: perdure ${times.perdure.map((t) => t.toFixed(0)).join(",")} official ${times.official.map((t) => t.toFixed(0)).join(",")}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    text: [
      table(["runtime", "perdure ms (median / min)", "official ms (median / min)", "perdure / official (medians)", "no-SDK floor ms (median / min)", "perdure − floor ms", "official − floor ms", "target perdure − floor ≤ 10 ms", "above floor, perdure / official", "perdure ms to 1st greeter call", "official ms to 1st greeter call", "ratio"], rows),
      "",
      `spawn → first 200 from GET /discover (or from the captured greeter invocation), median of ${RUNS} alternating runs; ` +
        `the floor is the same runtime answering {} with no SDK loaded (node: straight from node:http; bun, deno: their ` +
        `fetch server) (${await machineLoad()})`,
    ].join("\n"),
  };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runColdStart()).text);
