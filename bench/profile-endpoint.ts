// Profiles the node endpoint process (bundled, `node --cpu-prof`) of one SDK while restate-server drives one workload
// through it, and prints where the endpoint's CPU goes.
//   npx vite-node bench/profile-endpoint.ts [sdk=perdure] [mode=rr] [workload=greeter|steps20] [invocations=400]
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startRestateServer } from "../test/e2e/support/restate-server.js";
import { registerDeployment } from "../test/e2e/support/admin.js";
import { spawnEndpoint } from "../test/e2e/runtimes/support/spawn-endpoint.js";
import { bundleServer } from "./lib/servers.js";
import { summariseProfile } from "./lib/cpuprofile.js";
import type { SdkName } from "./lib/sdks.js";

const [sdk = "perdure", mode = "rr", workload = "greeter", count = "400"] = process.argv.slice(2) as [SdkName, "rr" | "bidi", string, string];
const N = Number(count);
const target = workload === "steps20" ? { url: "/Steps/twenty", body: "null" } : { url: "/Greeter/greet", body: '"bench"' };
const dir = mkdtempSync(path.join(tmpdir(), "perdure-bench-eprof-"));
const server = await startRestateServer();
try {
  const bundle = await bundleServer("node", sdk, mode === "bidi", dir, false); // unminified: readable function names
  const endpoint = await spawnEndpoint({ command: process.execPath, args: ["--cpu-prof", `--cpu-prof-dir=${dir}`, bundle], cwd: dir, env: { PORT: "0" } });
  try {
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: mode === "rr", force: true });
    let next = 0;
    const worker = async () => {
      while (next++ < N) {
        const res = await fetch(`${server.ingressUrl}${target.url}`, { method: "POST", headers: { "content-type": "application/json" }, body: target.body });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        await res.text();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    await endpoint.stop();
  }
  const profile = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!profile) throw new Error("no profile written");
  console.log(`${sdk} node ${mode} ${workload}, ${N} invocations through restate-server`);
  console.log(summariseProfile(path.join(dir, profile), path.basename(bundle)));
} finally {
  await server.stop();
  if (process.env.KEEP_PROFILE) console.log(`profile kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
