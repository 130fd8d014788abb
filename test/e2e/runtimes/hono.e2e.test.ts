// perdure/hono driven by the real restate-server: a Hono app on Node (child process, HTTP/1.1) with the endpoint
// mounted under /restate behind logging, auth and header middleware; registered as http://127.0.0.1:<port>/restate
// with the token as an additional header. Shared scenario set on V6.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { callOk } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { Processes } from "./support/processes.js";
import { bundleForNode, fixturePath } from "./support/runtime-endpoints.js";
import { spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";

const TOKEN = "e2e-secret-token"; // fixtures/hono-app.ts checks for this bearer token

describe("perdure/hono: endpoint inside a Hono app on Node under /restate (protocol V6)", () => {
  const processes = new Processes();
  let server: RestateServer;
  let child: SpawnedEndpoint;
  let tmp: string | undefined;
  let base: string;
  let cell: ScenarioEnv | undefined;
  let registration: { id: string; services: { name: string }[] };
  let withoutToken: Error;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-hono-"));
    const bundled = bundleForNode(fixturePath("hono-app.ts"), tmp);
    [server, child] = await processes.startAll([
      startRestateServer(),
      bundled.then((bundle) => spawnEndpoint({ command: process.execPath, args: [bundle] })),
    ]);
    base = `${child.url}/restate`;
    // First without the token (refused: nothing is registered), then with it.
    withoutToken = await registerDeployment(server.adminUrl, base, { useHttp11: true }).then(
      () => new Error("registered without the token"),
      (err: unknown) => err as Error,
    );
    const res = await fetch(`${server.adminUrl}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: base, use_http_11: true, additional_headers: { authorization: `Bearer ${TOKEN}` } }),
    });
    if (res.status !== 201) throw new Error(`registration with the token answered ${res.status}: ${await res.text()}`);
    registration = (await res.json()) as { id: string; services: { name: string }[] };
    cell = { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, deploymentId: registration.id };
  });
  afterAll(async () => {
    await processes.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the auth middleware rejects requests without the token, registration included", async () => {
    const res = await fetch(`${base}/discover`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "unauthorized" });
    expect(withoutToken.message).toMatch(/registering deployment .* failed with HTTP \d+: .*401/);
    // The app's own routes are untouched.
    expect(await (await fetch(child.url)).text()).toBe("the app's own home page");
  });

  it("registers under /restate with the token as an additional header", () => {
    expect(registration.services.map((s) => s.name).sort()).toEqual(
      ["Approval", "Counter", "Flows", "Greeter", "Guardrails", "HonoInfo", "Ledger", "Mailbox", "Trip"],
    );
  });

  describe("the shared scenario set, request-response over HTTP/1.1", () => {
    defineScenarioCases(() => cell!, {
      prefix: "",
      mode: "request-response",
      httpVersion: "HTTP/1.1",
      runtime: "node ",
      extraArgs: 3, // c.env, c.executionCtx (undefined on Node), the Hono context
      countsRequests: false,
    });
  });

  it("a header added by middleware is in ctx.request().attemptHeaders; c.set() values reach the handler", async () => {
    expect(await callOk(server.ingressUrl, "HonoInfo/headers")).toEqual({ tenant: "acme", authenticatedAs: "restate-server" });
  });

  it("every request went through the logging middleware", async () => {
    const log = (await (await fetch(`${child.url}/log`)).json()) as string[];
    expect(log).toContain("GET /restate/discover");
    expect(log).toContain("POST /restate/invoke/Greeter/greet");
    expect(log).toContain("POST /restate/invoke/HonoInfo/headers");
    const res = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.headers.get("x-request-logged")).toBe("1");
    expect(await res.text()).toBe("OK");
  });
});
