// perdure/hono driven by the real restate-server: a Hono app on Node (child process, HTTP/1.1) with the endpoint
// mounted under /restate behind logging, auth and header middleware; registered as http://127.0.0.1:<port>/restate
// with the token as an additional header. Shared scenario set on V6.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment, waitFor } from "../support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { repoRoot, spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";

const TOKEN = "e2e-secret-token"; // fixtures/hono-app.ts checks for this bearer token

/** Bundles a TypeScript entry for plain Node (no loader at run time), into a fresh temp dir. */
async function bundleForNode(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, ".ts")}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "error" });
  return outfile;
}

describe("perdure/hono: endpoint inside a Hono app on Node under /restate (protocol V6)", () => {
  let server: RestateServer;
  let child: SpawnedEndpoint;
  let tmp: string;
  let base: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-hono-"));
    const [bundle, rs] = await Promise.all([
      bundleForNode(path.join(repoRoot, "test/e2e/runtimes/fixtures/hono-app.ts"), tmp),
      startRestateServer(),
    ]);
    server = rs;
    child = await spawnEndpoint({ command: process.execPath, args: [bundle] });
    base = `${child.url}/restate`;
  });
  afterAll(async () => {
    await Promise.allSettled([child?.stop(), server?.stop()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the auth middleware rejects requests without the token, registration included", async () => {
    const res = await fetch(`${base}/discover`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "unauthorized" });
    await expect(registerDeployment(server.adminUrl, base, { useHttp11: true })).rejects.toThrow(/401/);
    // The app's own routes are untouched.
    expect(await (await fetch(child.url)).text()).toBe("the app's own home page");
  });

  it("registers under /restate with the token as an additional header", async () => {
    const res = await fetch(`${server.adminUrl}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: base, use_http_11: true, additional_headers: { authorization: `Bearer ${TOKEN}` } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const services = ((await res.json()) as { services: { name: string }[] }).services.map((s) => s.name).sort();
    expect(services).toEqual(["Counter", "Flows", "Greeter", "HonoInfo", "Mailbox"]);
  });

  it("greeter: ctx.run and ctx.sleep", async () => {
    expect(await callOk(server.ingressUrl, "Greeter/greet", "ann")).toBe("Hello, ANN!");
  });

  it("object: state survives between invocations", async () => {
    const key = `k-${Date.now()}`;
    expect(await callOk(server.ingressUrl, `Counter/${key}/add`, 3)).toBe(3);
    expect(await callOk(server.ingressUrl, `Counter/${key}/add`, 4)).toBe(7);
    expect(await callOk(server.ingressUrl, `Counter/${key}/get`)).toBe(7);
  });

  it("a call between services (service and object)", async () => {
    expect(await callOk(server.ingressUrl, "Flows/greetAndCount", "bo")).toBe("Hello, BO! #1");
  });

  it("an awakeable resolved through the ingress", async () => {
    const box = `box-${Date.now()}`;
    const id = await send(server.ingressUrl, "Flows/waitForAwakeable", box);
    const awakeableId = await waitFor(() => callOk<string | null>(server.ingressUrl, `Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await resolveAwakeable(server.ingressUrl, awakeableId, "hi");
    expect((await attach(server.ingressUrl, id)).json).toBe("got hi");
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
