// A perdure endpoint inside a Vite app with @cloudflare/vite-plugin (examples/vite-worker, its own package.json and
// lockfile, installed here with `npm ci` when missing): `vite build` produces the Worker (size printed, budget
// asserted), `vite preview` serves it on workerd on loopback, restate-server registers it with use_http_11 and invokes
// it through the ingress. (The official SDK's WebAssembly fails in exactly this setup: restatedev/sdk-typescript#622.)
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardChild } from "../../../src/local/child-lifetime.js";
import { freePort } from "../../../src/local/restate-server.js";
import { deploymentInfo, registerDeployment } from "../support/admin.js";
import { callOk } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { repoRoot } from "./support/spawn-endpoint.js";

const appDir = path.join(repoRoot, "examples/vite-worker");
const vite = path.join(appDir, "node_modules/vite/bin/vite.js");
/** The built Worker is ~59 KiB gzipped today. */
const GZIP_BUDGET_KIB = 80;
// No Request.cf download (no network), no metrics.
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" };

describe("examples/vite-worker: vite build + vite preview (workerd) registered with restate-server", () => {
  let server: RestateServer | undefined;
  let stopPreview: (() => Promise<void>) | undefined;
  let previewUrl = "";
  let previewLog = "";
  let workerJs = "";

  beforeAll(async () => {
    if (!fs.existsSync(vite)) {
      const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: appDir, encoding: "utf8", env });
      if (install.status !== 0) throw new Error(`npm ci in examples/vite-worker failed:\n${install.stdout}${install.stderr}`);
    }
    const build = spawnSync(process.execPath, [vite, "build"], { cwd: appDir, encoding: "utf8", env, timeout: 60_000 });
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}${build.stderr}`);
    workerJs = path.join(appDir, "dist/perdure_vite_worker/index.js");

    const port = await freePort();
    previewUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [vite, "preview", "--port", String(port)], { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (c: Buffer) => (previewLog += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (previewLog += c.toString()));
    // SIGTERM first: vite disposes its workerd before it exits.
    stopPreview = guardChild(child, { graceMs: 5_000 }).stop;
    server = await startRestateServer();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${previewUrl}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`vite preview did not serve ${previewUrl}/health:\n${previewLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled([stopPreview?.(), server?.stop()]);
  });

  it(`vite build writes the Worker within ${GZIP_BUDGET_KIB} KiB gzipped, and its wrangler.json for deploy`, () => {
    const code = fs.readFileSync(workerJs);
    const gzip = gzipSync(code).length / 1024;
    console.log(`vite build: dist/perdure_vite_worker/index.js ${(code.length / 1024).toFixed(1)} KiB, gzip ${gzip.toFixed(1)} KiB`);
    expect(gzip).toBeLessThan(GZIP_BUDGET_KIB);
    const deployConfig = JSON.parse(fs.readFileSync(path.join(path.dirname(workerJs), "wrangler.json"), "utf8")) as { main: string; vars: unknown };
    expect(deployConfig).toMatchObject({ main: "index.js", vars: { GREETING: "Hello from Vite" } });
  });

  it("restate-server registers the preview (use_http_11) and invokes the endpoint on workerd", async () => {
    const { id } = await registerDeployment(server!.adminUrl, previewUrl, { useHttp11: true });
    const info = await deploymentInfo(server!.adminUrl, id);
    expect({ protocol: info.protocol_type, http: info.http_version, sdk: info.sdk_version }).toEqual({ protocol: "RequestResponse", http: "HTTP/1.1", sdk: expect.stringMatching(/^perdure\//) });
    expect(await callOk(server!.ingressUrl, "ViteGreeter/greet", "Ada")).toBe("Hello from Vite, Ada! (visit 1, served by Vite on workerd)");
    expect(await callOk(server!.ingressUrl, "ViteGreeter/greet", "Ada")).toBe("Hello from Vite, Ada! (visit 2, served by Vite on workerd)");
  });
});
