// perdure on the real Bun (child processes running the TypeScript sources directly) against one real restate-server
// (V6, the stock protocol). Two cells of the shared scenario set (scenarios/), both registered `use_http_11: true`:
//   - request-response with the plain `Bun.serve({ port, ...endpoint.handler() })`;
//   - bidirectional through perdure/bun's serve(), over Bun's full-duplex HTTP/1.1; this cell also checks that a
//     stream silent for 15 s stays open (Bun's default idle timeout would cut it after 10 s).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { attach, send } from "../support/ingress.js";
import { startRestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { LONG_NAP_MS } from "./scenarios/services.js";
import { adapterChecksTest } from "./support/adapter-checks.js";
import { Processes } from "./support/processes.js";
import { BUN_ENV, fixturePath, requestCounterAt, startBunEndpoint } from "./support/runtime-endpoints.js";
import { binPath } from "./support/spawn-endpoint.js";

describe("Bun runtime (protocol V6)", () => {
  const processes = new Processes();
  const cells: { rr?: ScenarioEnv; bidi?: ScenarioEnv } = {};
  // Started as soon as the bidirectional cell is registered; its test only waits for the end.
  let longNap: { id: string; requestsBefore: number } | undefined;

  beforeAll(async () => {
    const [server, plain, adapter] = await processes.startAll([
      startRestateServer(),
      startBunEndpoint("plain", "BunRr"),
      startBunEndpoint("bidi", "BunBidi"),
    ]);
    const [rr, bidi] = await Promise.all([
      registerDeployment(server.adminUrl, plain.url, { useHttp11: true }),
      registerDeployment(server.adminUrl, adapter.url, { useHttp11: true }),
    ]);
    const urls = { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl };
    cells.rr = { ...urls, deploymentId: rr.id };
    cells.bidi = { ...urls, deploymentId: bidi.id, requestCount: requestCounterAt(adapter.url) };
    const requestsBefore = await cells.bidi.requestCount!("/invoke/BunBidiFlows/longNap");
    longNap = { id: await send(server.ingressUrl, "BunBidiFlows/longNap"), requestsBefore };
  });

  afterAll(() => processes.stopAll());

  adapterChecksTest("bun", binPath("bun"), ["--no-install", "run", fixturePath("bun-adapter-checks.ts")], BUN_ENV);

  describe("request-response, plain Bun.serve({ port, ...handler }), HTTP/1.1", () => {
    defineScenarioCases(() => cells.rr!, {
      prefix: "BunRr",
      mode: "request-response",
      httpVersion: "HTTP/1.1",
      runtime: "bun ",
      extraArgs: 1, // the Bun server
      countsRequests: false,
    });
  });

  describe("bidirectional, perdure/bun serve(), full-duplex HTTP/1.1", () => {
    defineScenarioCases(() => cells.bidi!, {
      prefix: "BunBidi",
      mode: "bidirectional",
      httpVersion: "HTTP/1.1",
      runtime: "bun ",
      extraArgs: 1,
      countsRequests: true,
    });

    // The server keeps the stream open while the timer runs (its inactivity timeout is 60 s) and sends the
    // completion on it. A runtime that closes silent connections cuts the stream, and the server has to retry.
    it(`keeps a stream with ${LONG_NAP_MS / 1000} s of silence open: one request`, { timeout: LONG_NAP_MS + 15_000 }, async () => {
      const res = await attach(cells.bidi!.ingressUrl, longNap!.id);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toBe("rested");
      expect((await cells.bidi!.requestCount!("/invoke/BunBidiFlows/longNap")) - longNap!.requestsBefore).toBe(1);
    });
  });
});
