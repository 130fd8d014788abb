// perdure on the real Bun (a child process running the TypeScript sources directly) against a real restate-server
// (V6, the stock protocol). Two deployments of the shared scenario set on one server:
//   - request-response with the plain `Bun.serve({ port, ...endpoint.handler() })`, registered `use_http_11: true`;
//   - bidirectional through perdure/bun's serve(), over Bun's full-duplex HTTP/1.1 (`use_http_11: true`).
import * as path from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { adapterChecksTest, scenarioTests, type Deployed } from "./bun-deno-scenarios.js";
import { binPath, repoRoot, spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";

const fixture = path.join(repoRoot, "test/e2e/runtimes/fixtures/bun-endpoint.ts");
const checks = path.join(repoRoot, "test/e2e/runtimes/fixtures/bun-adapter-checks.ts");

function startBun(how: "plain" | "adapter", prefix: string): Promise<SpawnedEndpoint> {
  // --no-install: never reach for a registry; everything comes from the project's node_modules.
  return spawnEndpoint({ command: binPath("bun"), args: ["--no-install", "run", fixture, how, prefix], env: { DO_NOT_TRACK: "1" } });
}

describe("Bun runtime (protocol V6)", () => {
  let server: RestateServer | undefined;
  let plain: SpawnedEndpoint | undefined;
  let adapter: SpawnedEndpoint | undefined;
  const deployed: Record<"rr" | "bidi", Deployed | undefined> = { rr: undefined, bidi: undefined };

  beforeAll(async () => {
    const started = await Promise.allSettled([startRestateServer(), startBun("plain", "Rr"), startBun("adapter", "Bidi")]);
    [server, plain, adapter] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [
      RestateServer | undefined,
      SpawnedEndpoint | undefined,
      SpawnedEndpoint | undefined,
    ];
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const [rr, bidi] = await Promise.all([
      registerDeployment(server!.adminUrl, plain!.url, { useHttp11: true }),
      registerDeployment(server!.adminUrl, adapter!.url, { useHttp11: true }),
    ]);
    deployed.rr = { server: server!, endpointUrl: plain!.url, deploymentId: rr.id };
    deployed.bidi = { server: server!, endpointUrl: adapter!.url, deploymentId: bidi.id };
  });

  afterAll(async () => {
    await Promise.allSettled([plain?.stop(), adapter?.stop(), server?.stop()]);
  });

  adapterChecksTest("bun", binPath("bun"), ["--no-install", "run", checks], { DO_NOT_TRACK: "1" });

  describe("request-response, plain Bun.serve({ port, ...handler }), HTTP/1.1", () => {
    scenarioTests(() => deployed.rr!, {
      prefix: "Rr",
      protocolType: "RequestResponse",
      httpVersion: "HTTP/1.1",
      runtime: "bun ",
      countsRequests: false,
    });
  });

  describe("bidirectional, perdure/bun serve(), full-duplex HTTP/1.1", () => {
    scenarioTests(() => deployed.bidi!, {
      prefix: "Bidi",
      protocolType: "BidiStream",
      httpVersion: "HTTP/1.1",
      runtime: "bun ",
      countsRequests: true,
      longSilence: true,
    });
  });
});
