// Node in bidirectional mode over cleartext HTTP/2 (perdure/node serveHttp2, in this process) against a real
// restate-server (V6), registered `use_http_11: false`. Node request-response is covered by test/e2e/*.e2e.test.ts.
import { afterAll, beforeAll, describe } from "vitest";
import * as restate from "../../../src/index.js";
import { serveHttp2, type RunningServer } from "../../../adapters/node/index.js";
import { registerDeployment } from "../support/admin.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { countingRequests, makeScenarioServices } from "./scenarios/services.js";

const PREFIX = "NodeH2";

describe("Node, bidirectional over h2c, serveHttp2 (protocol V6)", () => {
  let server: RestateServer | undefined;
  let endpoint: RunningServer | undefined;
  let env: ScenarioEnv | undefined;

  beforeAll(async () => {
    const built = restate.endpoint();
    for (const service of makeScenarioServices(restate, PREFIX)) built.bind(service);
    const counted = countingRequests(built.bidirectional().handler().fetch);
    const [rs, ep] = await Promise.allSettled([startRestateServer(), serveHttp2(counted)]);
    if (rs.status === "fulfilled") server = rs.value;
    if (ep.status === "fulfilled") endpoint = ep.value;
    if (rs.status === "rejected") throw rs.reason;
    if (ep.status === "rejected") throw ep.reason;
    const { id } = await registerDeployment(server!.adminUrl, endpoint!.url, { useHttp11: false });
    env = {
      ingressUrl: server!.ingressUrl,
      adminUrl: server!.adminUrl,
      deploymentId: id,
      // Node's fetch cannot speak h2c: read the in-process counter directly.
      requestCount: async (path) => counted.counts[path] ?? 0,
    };
  });

  afterAll(async () => {
    await Promise.allSettled([endpoint?.close(), server?.stop()]);
  });

  defineScenarioCases(() => env!, {
    prefix: PREFIX,
    mode: "bidirectional",
    httpVersion: "HTTP/2.0",
    runtime: "node ",
    extraArgs: 0,
    countsRequests: true,
  });
});
