// Bundles the bench handler of one SDK into a server for one runtime (esbuild, ESM, `node:*` left to the runtime) and
// starts it as a child process. Bundling first means every runtime loads one file, as a deployed endpoint would.
import { build } from "esbuild";
import path from "node:path";
import { binPath, spawnEndpoint, type SpawnedEndpoint } from "../../test/e2e/runtimes/support/spawn-endpoint.js";
import type { SdkName } from "./sdks.js";

export type Runtime = "node" | "bun" | "deno";
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export async function bundleServer(runtime: Runtime, sdk: SdkName | "bare", bidi: boolean, outDir: string, minify = true): Promise<string> {
  const outfile = path.join(outDir, `${runtime}-${sdk}${bidi ? "-bidi" : ""}.mjs`);
  await build({
    entryPoints: [path.join(root, `bench/fixtures/servers/${runtime}-entry.ts`)],
    // On node the official SDK is served by its own Node handlers (its Node build), as `restate.serve` would.
    alias: { "bench-handler": path.join(root, `bench/fixtures/servers/handler-${sdk}${runtime === "node" && sdk === "official" ? "-node" : ""}.ts`) },
    define: { BENCH_BIDI: String(bidi), BENCH_BARE: String(sdk === "bare") },
    bundle: true, format: "esm", platform: "node", target: "es2022", minify, outfile, logLevel: "warning",
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

export function commandFor(runtime: Runtime, bundle: string): { command: string; args: string[] } {
  if (runtime === "node") return { command: process.execPath, args: [bundle] };
  if (runtime === "bun") return { command: binPath("bun"), args: ["--no-install", "run", bundle] };
  return { command: binPath("deno"), args: ["run", "-A", "--no-prompt", "--no-config", "--no-lock", bundle] };
}

export async function startServer(runtime: Runtime, bundle: string, env: Record<string, string> = {}): Promise<SpawnedEndpoint> {
  const { command, args } = commandFor(runtime, bundle);
  return spawnEndpoint({ command, args, cwd: path.dirname(bundle), env: { PORT: "0", ...env } });
}

/** The discovery request restate-server 1.7.12 sends. */
export const DISCOVERY_ACCEPT = [1, 2, 3, 4].map((v) => `application/vnd.restate.endpointmanifest.v${v}+json`).join(", ");
