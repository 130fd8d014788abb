// Starts the endpoint fixtures on their real runtimes as child processes (see spawn-endpoint.ts), the same way for
// the per-runtime files and the identity file.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { REQUEST_COUNTS_PATH } from "../scenarios/services.js";
import { binPath, repoRoot, spawnEndpoint, type SpawnedEndpoint } from "./spawn-endpoint.js";

export const fixturePath = (name: string) => path.join(repoRoot, "test/e2e/runtimes/fixtures", name);

/** Requests a child endpoint counted on `path` (scenarios/services.ts countingRequests, asked over HTTP/1.1). */
export function requestCounterAt(endpointUrl: string): (path: string) => Promise<number> {
  return async (path) => {
    const res = await fetch(`${endpointUrl}${REQUEST_COUNTS_PATH}`);
    if (!res.ok) throw new Error(`request counter answered ${res.status}`);
    return ((await res.json()) as Record<string, number>)[path] ?? 0;
  };
}

// --no-install: never reach for a registry; everything comes from the project's node_modules.
export const BUN_ENV = { DO_NOT_TRACK: "1" };

export function startBunEndpoint(how: "plain" | "bidi" | "rr", prefix: string, identityKey?: string): Promise<SpawnedEndpoint> {
  const args = ["--no-install", "run", fixturePath("bun-endpoint.ts"), how, prefix];
  if (identityKey) args.push(identityKey);
  return spawnEndpoint({ command: binPath("bun"), args, env: BUN_ENV });
}

/**
 * Deno with its cache (transpiled TypeScript) in a fresh directory. The repo's deno.json sets nodeModulesDir
 * "manual" (npm packages come from node_modules) and sloppy imports (`.js` suffixes resolve to the `.ts` sources).
 * No remote modules, no prompts, network limited to loopback.
 */
export interface DenoRunner {
  /** `deno run …` flags, before the script. */
  runArgs: string[];
  env: Record<string, string>;
  start(mode: "request-response" | "bidirectional", prefix: string, identityKey?: string): Promise<SpawnedEndpoint>;
  /** Removes the cache directory. */
  dispose(): void;
}

export function denoRunner(): DenoRunner {
  const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-deno-"));
  const runArgs = ["run", "--no-remote", "--cached-only", "--no-prompt", "--unstable-sloppy-imports", "--allow-net=127.0.0.1"];
  const env = { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" };
  return {
    runArgs,
    env,
    start: (mode, prefix, identityKey) => {
      const args = [...runArgs, fixturePath("deno-endpoint.ts"), mode, prefix, "0"];
      if (identityKey) args.push(identityKey);
      return spawnEndpoint({ command: binPath("deno"), args, env });
    },
    dispose: () => fs.rmSync(denoDir, { recursive: true, force: true }),
  };
}

/** Bundles a TypeScript entry for plain Node (no loader at run time) into `dir`. */
export async function bundleForNode(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, ".ts")}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "error" });
  return outfile;
}
