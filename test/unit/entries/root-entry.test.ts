// `import … from "perdure"` resolves per runtime through the package's export conditions (built output, dist/):
// Node gets the Node entry (serve, listen, Node handlers), Bun and Deno their own (serve over h2c, no Node module
// loaded on import), Workers-like bundles the fetch core. CommonJS `require` and `module: nodenext` CJS types work.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

// A module that reports which file `perdure` resolved to and what the entry offers.
const PROBE = `
const resolved = import.meta.resolve("perdure");
const m = await import("perdure");
console.log(JSON.stringify({ resolved: resolved.slice(resolved.indexOf("/dist/")), serve: typeof m.serve,
  endpoint: typeof m.endpoint, handler: typeof m.createEndpointHandler, listen: typeof m.endpoint().listen }));`;

function probeWith(command: string, args: string[]): Record<string, string> {
  const dir = mkdtempSync(path.join(root, ".entry-probe-")); // inside the package: `perdure` resolves to itself
  try {
    const file = path.join(dir, "probe.mjs");
    writeFileSync(file, PROBE);
    const out = execFileSync(command, [...args, file], { cwd: root, encoding: "utf8", env: { ...process.env, DO_NOT_TRACK: "1", DENO_NO_UPDATE_CHECK: "1" } });
    return JSON.parse(out.trim().split("\n").at(-1)!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function workerBundle(source: string, conditions = ["workerd", "worker"]) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: "js" },
    bundle: true,
    write: false,
    platform: "neutral",
    conditions,
    external: ["node:*"], // listed in the metafile's imports instead of failing the build
    mainFields: ["module", "main"],
    format: "esm",
    minify: true,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return {
    bytes: result.outputFiles[0]!.contents.byteLength,
    imports: output.imports.map((i) => `${i.kind}:${i.path}`),
    inputs: Object.keys(result.metafile.inputs),
  };
}

describe("the root entry per runtime", () => {
  it("is built", () => expect(existsSync(`${root}/dist/src/entries/web.js`), "dist/ is stale or missing: run npm run build").toBe(true));

  it("Node: the Node entry, with serve, endpoint().listen and Node handlers", () => {
    expect(probeWith(process.execPath, [])).toEqual({ resolved: "/dist/adapters/node/index.js", serve: "function", endpoint: "function", handler: "function", listen: "function" });
  });

  it("Bun: the Bun entry", { timeout: 30_000 }, () => {
    expect(probeWith(bin("bun"), ["--no-install", "run"])).toEqual({ resolved: "/dist/adapters/bun/root.js", serve: "function", endpoint: "function", handler: "function", listen: "function" });
  });

  it("Deno: the Deno entry", { timeout: 30_000 }, () => {
    const denoDir = mkdtempSync(path.join(root, ".deno-cache-"));
    try {
      const out = execFileSync(bin("deno"), ["eval", "--no-remote", `const r = import.meta.resolve("perdure"); console.log(r.slice(r.indexOf("/dist/")))`], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" },
      });
      expect(out.trim()).toBe("/dist/adapters/deno/root.js");
    } finally {
      rmSync(denoDir, { recursive: true, force: true });
    }
  });

  it("CommonJS require() works through Node's require(esm)", () => {
    const script = `const r = require("perdure"); const c = require("perdure/clients"); const f = require("perdure/fetch");
      console.log(JSON.stringify([typeof r.serve, typeof r.service, typeof c.connect, typeof f.createEndpointHandler]))`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(["function", "function", "function", "function"]);
  });

  it("a Workers bundle (platform neutral, condition workerd) imports no Node module and is no bigger than perdure/fetch's", async () => {
    const rootBundle = await workerBundle(`import * as restate from "perdure"; export default restate;`);
    const fetchBundle = await workerBundle(`import * as restate from "perdure/fetch"; export default restate;`);
    expect(rootBundle.imports).toEqual([]);
    expect(rootBundle.inputs.filter((i) => i.includes("/adapters/"))).toEqual([]);
    expect(rootBundle.inputs).toContain("dist/src/entries/web.js");
    // Only the serve() that explains itself is added.
    expect(rootBundle.bytes - fetchBundle.bytes).toBeLessThan(1024);
  });

  it("Bun and Deno bundles of the root load no Node module on import (Bun: node:http2 only when serve/listen runs)", async () => {
    const fetchBundle = await workerBundle(`import * as restate from "perdure/fetch"; export default restate;`);
    const bun = await workerBundle(`import * as restate from "perdure"; export default restate;`, ["bun"]);
    const deno = await workerBundle(`import * as restate from "perdure"; export default restate;`, ["deno"]);
    expect(bun.imports).toEqual(["dynamic-import:node:http2"]);
    expect(deno.imports).toEqual([]);
    // The Node-compatible listeners and serve/listen: a few KB on top of the core.
    expect(bun.bytes - fetchBundle.bytes).toBeLessThan(12 * 1024);
    expect(deno.bytes - fetchBundle.bytes).toBeLessThan(12 * 1024);
  });

  it("the Workers entry's serve() rejects with what to use instead", async () => {
    const web = await import("../../../src/entries/web.js");
    await expect(web.serve({ services: [] })).rejects.toThrow(/export a fetch handler instead/);
  });

  it("types resolve for module nodenext, from CommonJS (.cts) and ESM (.mts)", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(path.join(root, ".types-probe-"));
    try {
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
        files: ["cjs.cts", "esm.mts"],
      }));
      writeFileSync(path.join(dir, "cjs.cts"), `import restate = require("perdure");
import clients = require("perdure/clients");
import * as http2 from "node:http2";
const svc = restate.service({ name: "S", handlers: { hi: async (_ctx: restate.Context, n: string) => n } });
const port: Promise<number> = restate.serve({ services: [svc], port: 0 });
http2.createServer(restate.createEndpointHandler({ services: [svc] }));
// @ts-expect-error the port is a number (proves the types are real, not any)
void restate.serve({ services: [svc], port: "9080" });
void port; void clients.connect;
`);
      writeFileSync(path.join(dir, "esm.mts"), `import * as restate from "perdure";
import * as http2 from "node:http2";
const svc = restate.service({ name: "S", handlers: { hi: async (_ctx: restate.Context, n: string) => n } });
http2.createServer(restate.createEndpointHandler({ services: [svc] }));
const port: number = await restate.endpoint().bind(svc).listen(0);
void port;
`);
      execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: root, encoding: "utf8" });
    } catch (err) {
      throw new Error(`tsc failed:\n${(err as { stdout?: string }).stdout ?? err}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
