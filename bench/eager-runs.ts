// Eager runs vs suspend-after-every-run, through the real restate-server, for a 20-step ctx.run handler in
// request-response mode on Node, Bun and workerd. Prints attempts per invocation, throughput and the endpoint
// process's CPU time per invocation (from /proc, Linux).
//   npx vite-node bench/eager-runs.ts [invocations=200] [concurrency=8]
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startRestateServer } from "../test/e2e/support/restate-server.js";
import { registerDeployment } from "../test/e2e/support/admin.js";
import { binPath, spawnEndpoint } from "../test/e2e/runtimes/support/spawn-endpoint.js";
import { bundleWorker, startWorkerd } from "../test/e2e/runtimes/fixtures/workers-runtime.js";

const N = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

interface Endpoint { pid: number; url: string; stop(): Promise<void> }

function cpuMs(pid: number): number {
  // utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 Hz on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function startEndpoint(runtime: string, dir: string): Promise<Endpoint> {
  if (runtime === "bun") {
    return spawnEndpoint({ command: binPath("bun"), args: ["--no-install", "run", "bench/fixtures/steps-bun.ts"], cwd: root });
  }
  if (runtime === "node") {
    const out = path.join(dir, "steps-node.mjs");
    await promisify(execFile)(binPath("esbuild"), ["bench/fixtures/steps-node.ts", "--bundle", "--platform=node", "--format=esm", `--outfile=${out}`, "--log-level=warning"], { cwd: root });
    return spawnEndpoint({ command: process.execPath, args: [out], cwd: root });
  }
  const bundle = await bundleWorker(path.join(root, "bench/fixtures/steps-services.ts"), dir, { minify: true });
  return startWorkerd({ bundle });
}

async function run(ingress: string, service: string) {
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < N) {
      next++;
      const t0 = performance.now();
      const res = await fetch(`${ingress}/${service}/twenty`, { method: "POST", headers: { "content-type": "application/json" } });
      if (res.status !== 200 || (await res.json()) !== 210) throw new Error(`${service} answered ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { throughput: N / seconds, p50: latencies[Math.floor(N * 0.5)]!, p99: latencies[Math.floor(N * 0.99)]! };
}

const rows: string[] = [];
const server = await startRestateServer();
try {
  for (const runtime of ["node", "bun", "workerd"]) {
    const dir = mkdtempSync(path.join(tmpdir(), `perdure-bench-${runtime}-`));
    const endpoint = await startEndpoint(runtime, dir);
    try {
      await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true, force: true });
      for (const service of ["StockSteps", "EagerSteps"]) {
        const counts = async () => ((await (await fetch(`${endpoint.url}/__bench/counts`)).json()) as Record<string, number>)[`/invoke/${service}/twenty`] ?? 0;
        await run(server.ingressUrl, service); // warm-up (same N)
        const c0 = await counts();
        const cpu0 = cpuMs(endpoint.pid);
        const r = await run(server.ingressUrl, service);
        const cpu = (cpuMs(endpoint.pid) - cpu0) / N;
        const attempts = ((await counts()) - c0) / N;
        rows.push(
          `| ${runtime} | ${service === "EagerSteps" ? "eager" : "off"} | ${attempts.toFixed(2)} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${cpu.toFixed(2)} |`,
        );
        console.log(rows.at(-1));
      }
    } finally {
      await endpoint.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await server.stop();
}
console.log(`\n20-step ctx.run handler, request-response, ${N} invocations, concurrency ${CONCURRENCY}\n`);
console.log("| runtime | eager runs | attempts/invocation | invocations/s | p50 ms | p99 ms | endpoint CPU ms/invocation |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
