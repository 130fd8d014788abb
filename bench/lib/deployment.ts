// One SDK's bench server on one runtime, registered with a running restate-server: request-response over HTTP/1.1,
// or bidirectional (h2c on node and deno, full-duplex HTTP/1.1 on bun); workerd request-response. Endpoint CPU and RSS are read from /proc (Linux).
import { readFileSync } from "node:fs";
import { registerDeployment } from "../../test/e2e/support/admin.js";
import type { SpawnedEndpoint } from "../../test/e2e/runtimes/support/spawn-endpoint.js";
import { bundleServer, startServer, type Runtime } from "./servers.js";
import { startWorkerd } from "./workerd.js";
import type { SdkName } from "./sdks.js";

export type Mode = "rr" | "bidi";

/** Runtimes that serve HTTP/1.1 only (bidirectional = full-duplex HTTP/1.1 on Bun; workerd: request-response only). */
const HTTP11_ONLY = new Set<string>(["bun", "workerd"]);

export async function deploy(adminUrl: string, runtime: Runtime | "workerd", sdk: SdkName, mode: Mode, dir: string, env: Record<string, string> = {}): Promise<SpawnedEndpoint> {
  const endpoint = runtime === "workerd" ? await startWorkerd(sdk, dir) : await startServer(runtime, await bundleServer(runtime, sdk, mode === "bidi", dir), env);
  try {
    await registerDeployment(adminUrl, endpoint.url, { useHttp11: mode === "rr" || HTTP11_ONLY.has(runtime), force: true });
  } catch (e) {
    await endpoint.stop();
    throw e;
  }
  return endpoint;
}

/** utime + stime of a process in ms (fields 14 and 15 of /proc/PID/stat, clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident set size in bytes (VmRSS), and the peak so far (VmHWM). */
export function rss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}
