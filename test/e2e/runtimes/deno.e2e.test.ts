// perdure on the real Deno (child processes running the TypeScript sources directly, npm packages from the
// project's node_modules, no remote modules) against a real restate-server (V6, the stock protocol). Three
// deployments of the shared scenario set on one server, all through perdure/deno's serve():
//   - request-response, registered `use_http_11: true` (HTTP/1.1);
//   - bidirectional over cleartext HTTP/2 (h2c, prior knowledge), registered `use_http_11: false`;
//   - bidirectional over HTTP/1.1 (Deno's HTTP/1.1 is full duplex too), registered `use_http_11: true`.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { adapterChecksTest, scenarioTests, type Deployed } from "./bun-deno-scenarios.js";
import { binPath, repoRoot, spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";

const fixture = path.join(repoRoot, "test/e2e/runtimes/fixtures/deno-endpoint.ts");
// Deno's cache (transpiled TypeScript) goes to a fresh directory, removed afterwards.
const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-deno-"));

const checks = path.join(repoRoot, "test/e2e/runtimes/fixtures/deno-adapter-checks.ts");
// The repo's deno.json sets nodeModulesDir "manual" (npm packages come from node_modules) and sloppy imports (`.js`
// suffixes resolve to the `.ts` sources). No remote modules, no prompts, network limited to loopback.
const denoRun = ["run", "--no-remote", "--cached-only", "--no-prompt", "--unstable-sloppy-imports", "--allow-net=127.0.0.1"];
const denoEnv = { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" };

function startDeno(mode: "request-response" | "bidirectional", prefix: string): Promise<SpawnedEndpoint> {
  return spawnEndpoint({ command: binPath("deno"), args: [...denoRun, fixture, mode, prefix], env: denoEnv });
}

type Key = "rr" | "h2" | "h1";

describe("Deno runtime (protocol V6)", () => {
  let server: RestateServer | undefined;
  const children: Partial<Record<Key, SpawnedEndpoint>> = {};
  const deployed: Partial<Record<Key, Deployed>> = {};

  beforeAll(async () => {
    const started = await Promise.allSettled([
      startRestateServer(),
      startDeno("request-response", "Rr"),
      startDeno("bidirectional", "H2"),
      startDeno("bidirectional", "H1"),
    ]);
    const value = <T>(s: PromiseSettledResult<T>) => (s.status === "fulfilled" ? s.value : undefined);
    server = value(started[0]!) as RestateServer | undefined;
    children.rr = value(started[1]!) as SpawnedEndpoint | undefined;
    children.h2 = value(started[2]!) as SpawnedEndpoint | undefined;
    children.h1 = value(started[3]!) as SpawnedEndpoint | undefined;
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const register = async (key: Key, useHttp11: boolean) => {
      const { id } = await registerDeployment(server!.adminUrl, children[key]!.url, { useHttp11 });
      deployed[key] = { server: server!, endpointUrl: children[key]!.url, deploymentId: id };
    };
    await Promise.all([register("rr", true), register("h2", false), register("h1", true)]);
  });

  afterAll(async () => {
    await Promise.allSettled([...Object.values(children).map((c) => c?.stop()), server?.stop()]);
    fs.rmSync(denoDir, { recursive: true, force: true });
  });

  adapterChecksTest("deno", binPath("deno"), [...denoRun, checks], denoEnv);

  describe("request-response over HTTP/1.1", () => {
    scenarioTests(() => deployed.rr!, {
      prefix: "Rr",
      protocolType: "RequestResponse",
      httpVersion: "HTTP/1.1",
      runtime: "deno ",
      countsRequests: true,
    });
  });

  describe("bidirectional over h2c", () => {
    scenarioTests(() => deployed.h2!, {
      prefix: "H2",
      protocolType: "BidiStream",
      httpVersion: "HTTP/2.0",
      runtime: "deno ",
      countsRequests: true,
      longSilence: true,
    });
  });

  describe("bidirectional over full-duplex HTTP/1.1", () => {
    scenarioTests(() => deployed.h1!, {
      prefix: "H1",
      protocolType: "BidiStream",
      httpVersion: "HTTP/1.1",
      runtime: "deno ",
      countsRequests: true,
    });
  });
});
