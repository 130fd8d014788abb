// The example Worker (examples/workers/index.ts) as a user runs it: `wrangler dev` with the root wrangler.toml
// (local mode, loopback only, no metrics, no update check, no Request.cf download), registered with
// use_http_11: true against a real restate-server (V6). The greeting comes from [vars] GREETING in wrangler.toml,
// read by the handler through workerEnv(ctx).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentInfo, registerDeployment } from "../support/admin.js";
import { attach, callOk, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { makeTempDir, repoRoot, startWranglerDev, type WorkersProcess } from "./fixtures/workers-runtime.js";

/**
 * The root wrangler.toml, copied into a scratch dir with `main` made absolute: wrangler writes `.wrangler/`
 * (bundles, local state) beside its config, and the repository must stay clean.
 */
function scratchWranglerConfig(dir: string): { configPath: string; greeting: string } {
  const toml = fs.readFileSync(path.join(repoRoot, "wrangler.toml"), "utf8");
  const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const greeting = /^GREETING\s*=\s*"([^"]*)"/m.exec(toml)?.[1];
  if (!main || greeting === undefined) throw new Error("wrangler.toml must set main and [vars] GREETING");
  const configPath = path.join(dir, "wrangler.toml");
  fs.writeFileSync(configPath, toml.replace(/^main\s*=.*$/m, `main = ${JSON.stringify(path.join(repoRoot, main))}`));
  return { configPath, greeting };
}

describe("example Worker under `wrangler dev` (wrangler.toml), request-response over HTTP/1.1, protocol V6", () => {
  let scratch: string;
  let server: RestateServer;
  let worker: WorkersProcess;
  let deploymentId: string;
  let greeting: string;

  beforeAll(async () => {
    scratch = makeTempDir("perdure-wrangler-");
    const config = scratchWranglerConfig(scratch);
    greeting = config.greeting;
    const started = await Promise.allSettled([
      startRestateServer(),
      startWranglerDev({ configPath: config.configPath, scratchDir: scratch }),
    ]);
    if (started[0].status === "fulfilled") server = started[0].value;
    if (started[1].status === "fulfilled") worker = started[1].value;
    for (const s of started) if (s.status === "rejected") throw s.reason;
    deploymentId = (await registerDeployment(server.adminUrl, worker.url, { useHttp11: true })).id;
  });

  afterAll(async () => {
    await Promise.allSettled([worker?.stop(), server?.stop()]);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

  it("registers the example's services as a request-response deployment over HTTP/1.1", async () => {
    const info = await deploymentInfo(server.adminUrl, deploymentId);
    expect(info.protocol_type).toBe("RequestResponse");
    expect(info.http_version).toBe("HTTP/1.1");
    const names = (info.services as Array<{ name: string }>).map((s) => s.name).sort();
    expect(names).toEqual(["Counter", "Greeter"]);
  });

  it("greets with the GREETING var from wrangler.toml and counts visits in the object", async () => {
    const name = unique("ada");
    expect(await callOk(server.ingressUrl, "Greeter/greet", name)).toBe(`${greeting}, ${name}! (visit 1)`);
    expect(await callOk(server.ingressUrl, "Greeter/greet", name)).toBe(`${greeting}, ${name}! (visit 2)`);
    expect(await callOk(server.ingressUrl, `Counter/${name}/get`)).toBe(2);
  });

  it("greets after a durable sleep (suspends, then resumes in a new request)", async () => {
    const name = unique("bob");
    const delayMs = 400;
    const sent = Date.now();
    const id = await send(server.ingressUrl, "Greeter/greetLater", { name, delayMs });
    const res = await attach(server.ingressUrl, id);
    expect(res.status).toBe(200);
    expect(res.json).toBe(`${greeting}, ${name}! (visit 1)`);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(delayMs);
  });
});
