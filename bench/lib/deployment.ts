// One SDK's bench server on one runtime, registered with a running restate-server: request-response over HTTP/1.1,
// or bidirectional over h2c (node only). Endpoint CPU and RSS are read from /proc (Linux).
import { readFileSync } from "node:fs";
import { registerDeployment } from "../../test/e2e/support/admin.js";
import type { SpawnedEndpoint } from "../../test/e2e/runtimes/support/spawn-endpoint.js";
import { bundleServer, startServer, type Runtime } from "./servers.js";
import type { SdkName } from "./sdks.js";

export type Mode = "rr" | "bidi";

export async function deploy(adminUrl: string, runtime: Runtime, sdk: SdkName, mode: Mode, dir: string, env: Record<string, string> = {}): Promise<SpawnedEndpoint> {
  const bundle = await bundleServer(runtime, sdk, mode === "bidi", dir);
  const endpoint = await startServer(runtime, bundle, env);
  try {
    await registerDeployment(adminUrl, endpoint.url, { useHttp11: mode === "rr", force: true });
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
