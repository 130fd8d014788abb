// Runs every side-by-side benchmark (perdure vs @restatedev/restate-sdk 1.17.2) and prints the tables that
// bench/README.md holds. `npm run bench` (vite-node bench/run-all.ts) or, for a subset:
//   npx vite-node bench/run-all.ts replay,bundle,breakdown,cold,import,memory,heap,e2e
// The replay vectors are committed (bench/vectors/); recapture them with `npx vite-node bench/capture-vectors.ts`.
import os from "node:os";

process.env.BENCH_RUN_ALL = "1"; // the modules below export their run function instead of running on import

const only = new Set((process.argv[2] ?? "replay,bundle,breakdown,cold,import,memory,heap,e2e").split(","));
const sections: Array<[string, string, () => Promise<{ text: string }>]> = [
  ["replay", "1. Replay in process (captured restate-server requests)", async () => (await import("./replay.js")).runReplay()],
  ["bundle", "2. Workers bundle size (greeter)", async () => (await import("./bundle-size.js")).runBundleSize()],
  ["breakdown", "2b. Workers bundle: bytes per module", async () => (await import("./bundle-breakdown.js")).runBundleBreakdown()],
  ["cold", "3. Cold start (spawn → first discovery answer)", async () => (await import("./cold-start.js")).runColdStart()],
  ["import", "3b. Start-up in CPU time (import + first discovery answer)", async () => (await import("./import-cost.js")).runImportCost()],
  ["memory", "4. Memory (1,000 concurrent suspended-and-resumed invocations, node)", async () => (await import("./memory.js")).runMemory()],
  ["heap", "6. Heap retained per invocation (in process, node / bun / deno)", async () => (await import("./heap.js")).runHeap()],
  ["e2e", "5. End to end through restate-server", async () => (await import("./end-to-end.js")).runEndToEnd()],
];

console.log(`# perdure vs @restatedev/restate-sdk 1.17.2 — ${new Date().toISOString()}`);
console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
for (const [key, title, run] of sections) {
  if (!only.has(key)) continue;
  const t0 = performance.now();
  console.log(`## ${title}\n`);
  console.log((await run()).text);
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
