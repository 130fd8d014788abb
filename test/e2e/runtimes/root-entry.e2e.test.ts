// `import * as restate from "perdure"` written as for the official root entry, on the real Node, Bun and Deno (each
// picks its entry through the package's export conditions, from dist/): `restate.serve({ services, port })` and
// `http2.createServer(restate.createEndpointHandler(…))` serve cleartext HTTP/2, so the deployment registers with
// restate-server's defaults (use_http_11: false) and an invocation with a run and a sleep completes. Before, on Bun,
// perdure/node's listener broke h2c (registration failed with `invalid connection preface`).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment } from "../support/admin.js";
import { callOk } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { Processes } from "./support/processes.js";
import { fixturePath } from "./support/runtime-endpoints.js";
import { binPath, repoRoot, spawnEndpoint } from "./support/spawn-endpoint.js";

const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-deno-root-"));
const runtimes = {
  node: { command: process.execPath, args: [] as string[], env: {} },
  bun: { command: binPath("bun"), args: ["--no-install", "run"], env: { DO_NOT_TRACK: "1" } },
  deno: {
    command: binPath("deno"),
    args: ["run", "--no-remote", "--no-prompt", "--allow-net=127.0.0.1", "--allow-read"],
    env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" },
  },
} as const;

describe("the root entry served as the official SDK's, on Node, Bun and Deno", () => {
  const processes = new Processes();
  let server: RestateServer;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(repoRoot, "dist/adapters/bun/root.js"))) throw new Error("dist/ is missing: run npm run build");
    [server] = await processes.startAll([startRestateServer()]);
  });
  afterAll(async () => {
    await processes.stopAll();
    fs.rmSync(denoDir, { recursive: true, force: true });
  });

  for (const [runtime, how] of [["node", "serve"], ["bun", "serve"], ["bun", "http2"], ["deno", "serve"], ["deno", "http2"]] as const) {
    it(`${runtime}: ${how === "serve" ? "restate.serve({ services, port })" : "http2.createServer(restate.createEndpointHandler(…))"} registers over h2c and serves an invocation`, async () => {
      const prefix = `${runtime}${how}`;
      const spec = runtimes[runtime];
      const [endpoint] = await processes.startAll([
        spawnEndpoint({ command: spec.command, args: [...spec.args, fixturePath("root-entry-endpoint.mjs"), how, prefix], env: spec.env }),
      ]);
      try {
        const registration = await registerDeployment(server.adminUrl, endpoint.url); // h2c, the default
        expect(registration.services.map((s) => s.name)).toEqual([`${prefix}RootGreeter`]);
        const result = await callOk(server.ingressUrl, `${prefix}RootGreeter/greet`, "perdure");
        expect(result).toEqual({ greeting: "hello perdure", n: 42, runtime });
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : err}\nendpoint logs:\n${endpoint.logs()}`);
      }
    });
  }
});
