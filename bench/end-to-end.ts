// 5. End to end through restate-server 1.7.12 on loopback: greeter, 20-step ctx.run (request-response: one suspension
// per step), counter object, fan-out of 10 calls; per runtime and mode: node rr (HTTP/1.1), node bidi (h2c), bun rr,
// bun bidi (full-duplex HTTP/1.1), deno rr, deno bidi (h2c), workerd rr (perdure without flags against the official
// Workers package with nodejs_compat). Throughput, p50/p99 latency at the ingress, and the endpoint process's CPU time
// per invocation (/proc). Per cell both SDKs run side by side, each behind its own fresh restate-server, in ROUNDS
// alternating rounds (the machine is shared: load then hits both alike). restate-server's and the load generator's
// CPU per invocation are measured too: on 2 cores the three processes share the CPU, so the throughput ratio cannot
// exceed the ratio of all three processes' CPU per invocation (the "CPU-bound ceiling" column).
//   npx vite-node bench/end-to-end.ts [scale=1] [concurrency=8] [cells=node-rr,node-bidi,bun-rr,bun-bidi,deno-rr,deno-bidi,workerd-rr]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import http from "node:http";
import http2 from "node:http2";
import path from "node:path";
import { startRestateServer } from "../test/e2e/support/restate-server.js";
import { cpuMs, deploy, type Mode } from "./lib/deployment.js";
import type { Runtime } from "./lib/servers.js";
import { SDK_NAMES, type SdkName } from "./lib/sdks.js";
import { machineLoad, ratio, table } from "./lib/table.js";

// Command-line arguments apply only when run alone (run-all.ts has its own).
const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const SCALE = Number(ARGS[0] ?? 1);
const CONCURRENCY = Number(ARGS[1] ?? 8);
const ROUNDS = 4;
const CELLS = (ARGS[2] ?? "node-rr,node-bidi,bun-rr,bun-bidi,deno-rr,deno-bidi,workerd-rr").split(",").map((c) => c.split("-") as [Runtime | "workerd", Mode]);

interface Workload { name: string; path: string; n: number; url: (worker: number) => string; body: string; expect: (v: unknown) => boolean }
const WORKLOADS: Workload[] = [
  { name: "greeter", path: "/invoke/Greeter/greet", n: 400, url: () => "/Greeter/greet", body: '"bench"', expect: (v) => v === "Hello, bench!" },
  { name: "steps20", path: "/invoke/Steps/twenty", n: 80, url: () => "/Steps/twenty", body: "null", expect: (v) => v === 210 },
  { name: "counter", path: "/invoke/Counter/add", n: 400, url: (w) => `/Counter/k${w}/add`, body: "1", expect: (v) => typeof v === "number" },
  { name: "fanout10", path: "/invoke/Fanout/ten", n: 150, url: () => "/Fanout/ten", body: "null", expect: (v) => v === 10 },
];

interface Figures { throughput: number; p50: number; p99: number; cpuPerInv: number; serverCpuPerInv: number; clientCpuPerInv: number; attempts: number }

/** Invocation requests the endpoint has received on `path` (bench/fixtures/servers/counting.ts). */
async function attempts(endpointUrl: string, path: string, h2Only: boolean): Promise<number> {
  const text = h2Only ? await h2cGet(`${endpointUrl}/__bench/counts`) : await (await fetch(`${endpointUrl}/__bench/counts`)).text();
  return (JSON.parse(text) as Record<string, number>)[path] ?? 0;
}

/** GET over h2c (prior knowledge): the bidirectional servers speak HTTP/2 only. */
function h2cGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(new URL(url).origin);
    session.on("error", reject);
    const req = session.request({ ":method": "GET", ":path": new URL(url).pathname });
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => (session.close(), resolve(body)));
    req.on("error", reject);
    req.end();
  });
}

// The load generator shares the 2 cores with restate-server and the endpoint: node:http with keep-alive costs it a
// fraction of the CPU per request that undici's fetch does, so more of the machine goes to what is measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function drive(ingress: string, w: Workload, n: number): Promise<{ seconds: number; latencies: number[] }> {
  let next = 0;
  const lat: number[] = [];
  const worker = async (id: number) => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await post(`${ingress}${w.url(id)}`, w.body);
      const value: unknown = JSON.parse(res.body);
      if (res.status !== 200 || !w.expect(value)) throw new Error(`${w.name}: HTTP ${res.status} ${res.body}`);
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  return { seconds: (performance.now() - t0) / 1000, latencies: lat };
}

interface Deployed { server: Awaited<ReturnType<typeof startRestateServer>>; endpoint: Awaited<ReturnType<typeof deploy>> }

export async function runEndToEnd(): Promise<{ text: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "perdure-bench-e2e-"));
  const results = new Map<string, Figures>(); // `${cell}|${workload}|${sdk}`
  try {
    for (const [runtime, mode] of CELLS) {
      // Both SDKs deployed side by side, each behind its own fresh restate-server; rounds alternate between them so
      // that the load of the shared machine hits both alike.
      const deployed = {} as Record<SdkName, Deployed>;
      try {
        for (const sdk of SDK_NAMES) {
          const server = await startRestateServer();
          try {
            deployed[sdk] = { server, endpoint: await deploy(server.adminUrl, runtime, sdk, mode, dir) };
          } catch (e) {
            await server.stop();
            throw e;
          }
        }
        for (const w of WORKLOADS) {
          const n = Math.max(CONCURRENCY, Math.round((w.n * SCALE) / ROUNDS));
          const acc = {} as Record<SdkName, { lat: number[]; seconds: number; cpu: number; serverCpu: number; clientCpu: number; n: number; attempts: number }>;
          for (const sdk of SDK_NAMES) {
            await drive(deployed[sdk].server.ingressUrl, w, Math.max(CONCURRENCY * 2, n)); // warm-up
            acc[sdk] = { lat: [], seconds: 0, cpu: 0, serverCpu: 0, clientCpu: 0, n: 0, attempts: 0 };
          }
          for (let r = 0; r < ROUNDS; r++) {
            for (const sdk of r % 2 ? [...SDK_NAMES].reverse() : SDK_NAMES) {
              const { server, endpoint } = deployed[sdk];
              const h2Only = runtime === "node" && mode === "bidi"; // node's bidi bench server speaks h2c only
              const a0 = await attempts(endpoint.url, w.path, h2Only);
              const cpu0 = cpuMs(endpoint.pid);
              const serverCpu0 = cpuMs(server.pid);
              const clientCpu0 = process.cpuUsage();
              const d = await drive(server.ingressUrl, w, n);
              const a = acc[sdk];
              a.cpu += cpuMs(endpoint.pid) - cpu0;
              a.serverCpu += cpuMs(server.pid) - serverCpu0;
              const clientCpu = process.cpuUsage(clientCpu0);
              a.clientCpu += (clientCpu.user + clientCpu.system) / 1000;
              a.attempts += (await attempts(endpoint.url, w.path, h2Only)) - a0;
              a.seconds += d.seconds;
              a.n += n;
              a.lat.push(...d.latencies);
            }
          }
          for (const sdk of SDK_NAMES) {
            const a = acc[sdk];
            a.lat.sort((x, y) => x - y);
            const f = { throughput: a.n / a.seconds, p50: a.lat[Math.floor(a.n * 0.5)]!, p99: a.lat[Math.min(a.n - 1, Math.floor(a.n * 0.99))]!, cpuPerInv: a.cpu / a.n, serverCpuPerInv: a.serverCpu / a.n, clientCpuPerInv: a.clientCpu / a.n, attempts: a.attempts / a.n };
            results.set(`${runtime} ${mode}|${w.name}|${sdk}`, f);
            console.error(`${runtime} ${mode} ${w.name} ${sdk}: ${f.throughput.toFixed(0)}/s p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} cpu ${f.cpuPerInv.toFixed(2)} ms (server ${f.serverCpuPerInv.toFixed(2)}, client ${f.clientCpuPerInv.toFixed(2)}), ${f.attempts.toFixed(2)} attempts/inv`);
          }
        }
      } catch (e) {
        console.error(`${runtime} ${mode}: FAILED ${String(e)}`);
      } finally {
        for (const d of Object.values(deployed)) {
          await d.endpoint.stop();
          await d.server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Endpoint + restate-server + load generator: what one invocation costs the 2-core machine in all.
  const allCpu = (f: Figures): number => f.cpuPerInv + f.serverCpuPerInv + f.clientCpuPerInv;
  const rows: (string | number)[][] = [];
  const verdicts: string[] = [];
  for (const [runtime, mode] of CELLS) {
    for (const w of WORKLOADS) {
      const cell = `${runtime} ${mode}`;
      const p = results.get(`${cell}|${w.name}|perdure`), o = results.get(`${cell}|${w.name}|official`);
      if (!p || !o) {
        rows.push([cell, w.name, p ? p.throughput.toFixed(0) : "failed", o ? o.throughput.toFixed(0) : "failed", "", "", "", "", "", "", "", "", "", ""]);
        continue;
      }
      const target = 1.3;
      const met = p.throughput / o.throughput >= target && p.cpuPerInv < o.cpuPerInv;
      if (!met) verdicts.push(`${cell} ${w.name}`);
      rows.push([
        cell, w.name, p.throughput.toFixed(0), o.throughput.toFixed(0), ratio(p.throughput, o.throughput),
        `${p.p50.toFixed(1)} / ${p.p99.toFixed(1)}`, `${o.p50.toFixed(1)} / ${o.p99.toFixed(1)}`,
        p.cpuPerInv.toFixed(2), o.cpuPerInv.toFixed(2), ratio(p.cpuPerInv, o.cpuPerInv),
        `${p.serverCpuPerInv.toFixed(2)} / ${o.serverCpuPerInv.toFixed(2)}`, ratio(allCpu(o), allCpu(p)), `${p.attempts.toFixed(1)} / ${o.attempts.toFixed(1)}`, `≥ ${target}× & lower CPU: ${met ? "met" : "NOT met"}`,
      ]);
    }
  }
  return {
    text: [
      table(["runtime mode", "workload", "perdure inv/s", "official inv/s", "throughput ratio", "perdure p50 / p99 ms", "official p50 / p99 ms", "perdure CPU ms/inv", "official CPU ms/inv", "CPU ratio", "restate-server CPU ms/inv perdure / official", "CPU-bound ceiling", "attempts/inv perdure / official", "target"], rows),
      "",
      `CPU-bound ceiling: official ÷ perdure CPU per invocation of endpoint + restate-server + load generator together — the highest throughput ratio a CPU-bound run on this machine can show.`,
      `concurrency ${CONCURRENCY}, scale ${SCALE}; cells not meeting the target: ${verdicts.length ? verdicts.join(", ") : "none"} (${await machineLoad()})`,
    ].join("\n"),
  };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runEndToEnd()).text);
