// The compat-core cases (named-signal streams, explicit cancellation, a 10-million-step loop and a 100 MB state value
// that must not take the endpoint down) on the real Bun runtime, request-response over HTTP/1.1, protocol V6.
import { afterAll, beforeAll, describe } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { defineCompatCoreCases, type CompatCoreEnv } from "../support/compat-core-cases.js";
import { startRestateServer } from "../support/restate-server.js";
import { BUN_ENV, fixturePath } from "./support/runtime-endpoints.js";
import { Processes } from "./support/processes.js";
import { binPath, spawnEndpoint } from "./support/spawn-endpoint.js";

describe("compat-core on Bun (protocol V6)", () => {
  const processes = new Processes();
  let env: CompatCoreEnv;

  beforeAll(async () => {
    const [server, endpoint] = await processes.startAll([
      startRestateServer(),
      spawnEndpoint({ command: binPath("bun"), args: ["--no-install", "run", fixturePath("compat-core-bun.ts"), "Bun"], env: BUN_ENV }),
    ]);
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
    env = {
      ingressUrl: server.ingressUrl,
      adminUrl: server.adminUrl,
      // process.kill(pid, 0) throws when the process is gone.
      endpointAlive: () => void process.kill(endpoint.pid, 0),
    };
  });
  afterAll(() => processes.stopAll());

  defineCompatCoreCases(() => env, { prefix: "Bun", limits: true });
});
