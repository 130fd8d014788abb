// 4. Memory: endpoint RSS while 1,000 concurrent invocations each suspend on a durable 2 s sleep and are resumed,
// through restate-server on loopback, node endpoint (bundled), both SDKs, request-response and bidirectional (h2c).
// Reports the RSS before, the peak during (VmHWM) and the RSS after; all 1,000 must answer "rested".
//   npx vite-node bench/memory.ts [invocations=1000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent } from "undici";
import { startRestateServer } from "../test/e2e/support/restate-server.js";
import { deploy, rss, type Mode } from "./lib/deployment.js";
import { SDK_NAMES } from "./lib/sdks.js";
import { machineLoad, ratio, table } from "./lib/table.js";

// Command-line arguments apply only when run alone (run-all.ts has its own).
const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const N = Number(ARGS[0] ?? 1000);
const MiB = (b: number) => (b / 1024 / 1024).toFixed(1);

export async function runMemory(modes: Mode[] = ["rr", "bidi"]): Promise<{ text: string }> {
  const rows: (string | number)[][] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "perdure-bench-mem-"));
  const dispatcher = new Agent({ connections: N + 10, headersTimeout: 120_000, bodyTimeout: 120_000 });
  try {
    for (const mode of modes) {
      const peaks: Record<string, number> = {};
      for (const sdk of SDK_NAMES) {
        // A fresh server per cell: nothing left over from the previous SDK's invocations.
        const server = await startRestateServer();
        const endpoint = await deploy(server.adminUrl, "node", sdk, mode, dir);
        try {
          // Warm up (JIT, connection pool) with a few invocations, then measure.
          await Promise.all(Array.from({ length: 10 }, () => fetch(`${server.ingressUrl}/Sleeper/nap`, { method: "POST", headers: { "content-type": "application/json" }, body: "10" }).then((r) => r.text())));
          const before = rss(endpoint.pid).rss;
          let peak = before;
          const sampler = setInterval(() => (peak = Math.max(peak, rss(endpoint.pid).rss)), 20);
          const t0 = performance.now();
          const answers = await Promise.all(
            Array.from({ length: N }, () =>
              fetch(`${server.ingressUrl}/Sleeper/nap`, { method: "POST", headers: { "content-type": "application/json" }, body: "2000", dispatcher } as RequestInit).then((r) => r.json()),
            ),
          );
          const seconds = (performance.now() - t0) / 1000;
          clearInterval(sampler);
          if (answers.some((a) => a !== "rested")) throw new Error(`${sdk} ${mode}: not every invocation answered "rested"`);
          const after = rss(endpoint.pid).rss;
          peaks[sdk] = peak - before;
          rows.push([`node ${mode}`, sdk, MiB(before), MiB(peak), MiB(peak - before), MiB(after), seconds.toFixed(1)]);
          console.error(rows.at(-1)!.join(" | "));
        } finally {
          await endpoint.stop();
          await server.stop();
        }
      }
      rows.push([`node ${mode}`, "perdure / official", "", "", ratio(peaks.perdure!, peaks.official!), "", ""]);
    }
  } finally {
    await dispatcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    text: [
      table(["runtime / mode", "SDK", "RSS before MiB", "peak RSS MiB", "peak − before MiB", "RSS after MiB", "wall s"], rows),
      "",
      `${N} concurrent invocations of Sleeper/nap (ctx.sleep 2 s: suspend, then resume), RSS sampled every 20 ms (${await machineLoad()})`,
    ].join("\n"),
  };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runMemory()).text);
