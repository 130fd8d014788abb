// perdure/lambda driven by the real restate-server: the Lambda handler runs in a Node child process behind a local
// bridge that turns each HTTP/1.1 request into the API Gateway v1 event restate-server sends to Lambda functions,
// and the handler's result back into the answer. Shared scenario set on V6, plus the Lambda context and the
// 6 MB response limit as the server sees them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invocationStatus, killInvocation, registerDeployment, waitFor } from "../support/admin.js";
import { callOk, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { BRIDGE_COUNTS_PATH } from "./support/lambda-bridge.js";
import { Processes } from "./support/processes.js";
import { bundleForNode, fixturePath, startLambdaEndpoint } from "./support/runtime-endpoints.js";
import type { SpawnedEndpoint } from "./support/spawn-endpoint.js";

describe("perdure/lambda behind a local Lambda bridge (protocol V6)", () => {
  const processes = new Processes();
  let server: RestateServer;
  let child: SpawnedEndpoint;
  let tmp: string | undefined;
  let cell: ScenarioEnv | undefined;

  // The bridge counts the events it hands to the Lambda handler, per path.
  const counts = async () => (await (await fetch(`${child.url}${BRIDGE_COUNTS_PATH}`)).json()) as Record<string, number>;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-"));
    const bundled = bundleForNode(fixturePath("lambda-endpoint.ts"), tmp);
    [server, child] = await processes.startAll([startRestateServer(), bundled.then((bundle) => startLambdaEndpoint(bundle, ""))]);
    const { id } = await registerDeployment(server.adminUrl, child.url, { useHttp11: true });
    cell = {
      ingressUrl: server.ingressUrl,
      adminUrl: server.adminUrl,
      deploymentId: id,
      requestCount: async (path) => (await counts())[path] ?? 0,
    };
  });
  afterAll(async () => {
    await processes.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("the shared scenario set, request-response over HTTP/1.1", () => {
    defineScenarioCases(() => cell!, {
      prefix: "",
      mode: "request-response",
      httpVersion: "HTTP/1.1",
      runtime: "node ", // Lambda's Node.js runtime, here the bridge's process
      extraArgs: 1, // the Lambda context
      countsRequests: true,
    });
  });

  it("discovery went through a Lambda event; a greeting took one event per attempt", async () => {
    expect((await counts())["/discover"]).toBe(1);
    const before = (await counts())["/invoke/Greeter/greet"] ?? 0;
    expect(await callOk(server.ingressUrl, "Greeter/greet", "ann")).toBe("Hello, ANN!");
    // run proposal → suspension, then sleep → suspension, then the output.
    expect(((await counts())["/invoke/Greeter/greet"] ?? 0) - before).toBeGreaterThanOrEqual(3);
  });

  it("handlers see the Lambda context as ctx.request().extraArgs[0]", async () => {
    expect(await callOk(server.ingressUrl, "LambdaInfo/context")).toEqual({ functionName: "perdure-lambda-e2e", hasRequestId: true });
  });

  it("an output over the 6 MB limit becomes an attempt failure that names the limit, and is retried", async () => {
    const id = await send(server.ingressUrl, "LambdaInfo/big", 5_000_000);
    const status = await waitFor(
      async () => {
        const s = await invocationStatus(server.adminUrl, id);
        return s?.last_failure ? s : undefined;
      },
      15_000,
      "a recorded failure",
      100,
    );
    expect(status.last_failure).toMatch(/response too large for AWS Lambda/);
    expect(status.last_failure).toMatch(/over the 6291456-byte limit \(6 MB\)/);
    expect(status.status).not.toBe("completed");
    await killInvocation(server.adminUrl, id);
  });
});
