// perdure on the real Deno (child processes running the TypeScript sources directly, npm packages from the
// project's node_modules, no remote modules) against one real restate-server (V6, the stock protocol). Two cells of
// the shared scenario set (scenarios/), both through perdure/deno's serve():
//   - request-response, registered `use_http_11: true` (HTTP/1.1);
//   - bidirectional over cleartext HTTP/2 (h2c, prior knowledge), registered `use_http_11: false`; this cell also
//     checks that a stream silent for 15 s stays open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { attach, send } from "../support/ingress.js";
import { startRestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { LONG_NAP_MS } from "./scenarios/services.js";
import { adapterChecksTest } from "./support/adapter-checks.js";
import { Processes } from "./support/processes.js";
import { denoRunner, fixturePath, requestCounterAt } from "./support/runtime-endpoints.js";
import { binPath } from "./support/spawn-endpoint.js";

const deno = denoRunner();

describe("Deno runtime (protocol V6)", () => {
  const processes = new Processes();
  const cells: { rr?: ScenarioEnv; h2?: ScenarioEnv } = {};
  // Started as soon as the bidirectional cell is registered; its test only waits for the end.
  let longNap: { id: string; requestsBefore: number } | undefined;

  beforeAll(async () => {
    const [server, rrEndpoint, h2Endpoint] = await processes.startAll([
      startRestateServer(),
      deno.start("request-response", "DenoRr"),
      deno.start("bidirectional", "DenoH2"),
    ]);
    const [rr, h2] = await Promise.all([
      registerDeployment(server.adminUrl, rrEndpoint.url, { useHttp11: true }),
      registerDeployment(server.adminUrl, h2Endpoint.url, { useHttp11: false }),
    ]);
    const urls = { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl };
    // Deno serves HTTP/1.1 on the h2c port too: the counters are read over HTTP/1.1.
    cells.rr = { ...urls, deploymentId: rr.id, requestCount: requestCounterAt(rrEndpoint.url) };
    cells.h2 = { ...urls, deploymentId: h2.id, requestCount: requestCounterAt(h2Endpoint.url) };
    const requestsBefore = await cells.h2.requestCount!("/invoke/DenoH2Flows/longNap");
    longNap = { id: await send(server.ingressUrl, "DenoH2Flows/longNap"), requestsBefore };
  });

  afterAll(async () => {
    await processes.stopAll();
    deno.dispose();
  });

  adapterChecksTest("deno", binPath("deno"), [...deno.runArgs, fixturePath("deno-adapter-checks.ts")], deno.env);

  describe("request-response over HTTP/1.1", () => {
    defineScenarioCases(() => cells.rr!, {
      prefix: "DenoRr",
      mode: "request-response",
      httpVersion: "HTTP/1.1",
      runtime: "deno ",
      extraArgs: 1, // Deno's connection info
      countsRequests: true,
    });
  });

  describe("bidirectional over h2c", () => {
    defineScenarioCases(() => cells.h2!, {
      prefix: "DenoH2",
      mode: "bidirectional",
      httpVersion: "HTTP/2.0",
      runtime: "deno ",
      extraArgs: 1,
      countsRequests: true,
    });

    it(`keeps a stream with ${LONG_NAP_MS / 1000} s of silence open: one request`, { timeout: LONG_NAP_MS + 15_000 }, async () => {
      const res = await attach(cells.h2!.ingressUrl, longNap!.id);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toBe("rested");
      expect((await cells.h2!.requestCount!("/invoke/DenoH2Flows/longNap")) - longNap!.requestsBefore).toBe(1);
    });
  });
});
