// The package as users get it: `npm pack`, then the tarball installed (copied, nothing linked from this repository)
// into throwaway projects in a temporary folder, one per kind of user. Each project typechecks every subpath it
// uses with its own TypeScript (or Deno) and serves one real invocation through restate-server: registration
// through the admin API, a call through the ingress. The projects are in ./projects; `npm install` prefers the npm
// cache (`--prefer-offline`), so after the repository's own install only what is new is fetched.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDeployment } from "../../src/local/admin.js";
import { freePort, startRestateServer, type RestateServer } from "../../src/local/restate-server.js";
import { run, start, stopAll, waitHealthy, type Started } from "./processes.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const projects = path.join(root, "test/pack/projects");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);

/** wrangler needs Node >= 22.12: this Node when it is recent enough, else Node 24 from test/node-versions. */
function nodeForWrangler(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  const node24 = path.join(root, "test/node-versions/node_modules/node24/bin/node");
  if (fs.existsSync(node24)) return node24;
  throw new Error(`wrangler needs Node >= 22.12 (this is ${process.version}): \`npm ci --prefix test/node-versions\` installs Node 24`);
}

/** The projects, and what replaces placeholders in their package.json. */
const PROJECTS: Record<string, { template: string; replace?: Record<string, string> }> = {
  "node-esm-ts5": { template: "node-esm", replace: { TYPESCRIPT_VERSION: "5.9.3" } },
  "node-esm-ts7": { template: "node-esm", replace: { TYPESCRIPT_VERSION: "7.0.2" } },
  cjs: { template: "cjs" },
  lambda: { template: "lambda" },
  workers: { template: "workers" },
  bun: { template: "bun" },
  deno: { template: "deno" },
};

let work: string;
let tarball: { size: number; files: number };
let server: RestateServer;
const installed = new Map<string, Promise<string>>();
/** Stopped at the end: the Lambda emulator and its restate-server. */
const cleanups: Array<() => Promise<void>> = [];

function copyProject(name: string): string {
  const { template, replace = {} } = PROJECTS[name]!;
  const dir = path.join(work, name);
  fs.cpSync(path.join(projects, template), dir, { recursive: true });
  const pkgFile = path.join(dir, "package.json");
  let pkg = fs.readFileSync(pkgFile, "utf8");
  for (const [from, to] of Object.entries(replace)) pkg = pkg.replaceAll(from, to);
  fs.writeFileSync(pkgFile, pkg);
  return dir;
}

/** Installs one project (at most three npm installs at a time, the machine has two cores). */
let slots = 3;
const waiting: Array<() => void> = [];
async function install(name: string): Promise<string> {
  const dir = copyProject(name);
  while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  slots--;
  try {
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, timeoutMs: 240_000 });
  } finally {
    slots++;
    waiting.shift()?.();
  }
  // Copied, not linked: the package in the project is a real folder.
  if (fs.lstatSync(path.join(dir, "node_modules/perdure")).isSymbolicLink()) throw new Error(`${name}: perdure was linked, not installed`);
  return dir;
}

const project = (name: string) => installed.get(name)!;

async function callIngress(service: string, handler: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${server.ingressUrl}/${service}/${handler}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${service}/${handler} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** Starts an endpoint process on a free port, waits for /health and registers it. */
async function serveAndRegister(command: string, args: string[], cwd: string, opts: { useHttp11: boolean; env?: Record<string, string> }): Promise<Started> {
  const port = await freePort();
  const proc = start(command, args, { cwd, env: { PORT: String(port), ...opts.env } });
  await waitHealthy(`http://127.0.0.1:${port}`, proc);
  await registerDeployment(server.adminUrl, `http://127.0.0.1:${port}`, { useHttp11: opts.useHttp11 });
  return proc;
}

beforeAll(async () => {
  const dist = path.join(root, "dist/src/index.js");
  if (!fs.existsSync(dist)) throw new Error("dist/ is missing: run `npm run build` (npm install does it)");
  work = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-pack-"));
  // `npm pack` runs the prepare script (the build) first, so the tarball holds what the sources say.
  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, timeoutMs: 240_000 });
  const info = (JSON.parse(packed.output.slice(packed.output.indexOf("["))) as Array<{ filename: string; size: number; entryCount: number }>)[0]!;
  fs.renameSync(path.join(work, info.filename), path.join(work, "perdure.tgz"));
  tarball = { size: info.size, files: info.entryCount };
  for (const name of Object.keys(PROJECTS)) {
    const promise = install(name);
    promise.catch(() => undefined); // reported by the test that uses it
    installed.set(name, promise);
  }
  server = await startRestateServer();
  // The tests time their own work, not the installs.
  await Promise.allSettled(installed.values());
}, 420_000);

afterAll(async () => {
  await stopAll();
  await Promise.allSettled(cleanups.map((c) => c()));
  await server?.stop();
  if (work && !process.env.PERDURE_KEEP_PACK) fs.rmSync(work, { recursive: true, force: true });
});

// Concurrent: the projects mostly wait (installs, wrangler, servers); each has its own service names and ports.
describe.concurrent("the packed package in user projects", () => {
  it("the tarball holds the built modules, their types, LICENSE and README, and nothing else", async () => {
    const listing = await run("tar", ["-tzf", path.join(work, "perdure.tgz")], { cwd: work });
    const files = listing.output.trim().split("\n");
    expect(files).toContain("package/LICENSE");
    expect(files).toContain("package/README.md");
    expect(files).toContain("package/dist/src/index.js");
    expect(files).toContain("package/dist/src/index.d.ts");
    const stray = files.filter((f) => !/^package\/(package\.json|LICENSE|README\.md|dist\/(src|adapters)\/.+\.(js|d\.ts))$/.test(f));
    expect(stray).toEqual([]);
    expect(files.some((f) => f.endsWith(".map"))).toBe(false);
    console.log(`perdure.tgz: ${tarball.size} bytes, ${tarball.files} files`);
  });

  for (const ts of ["ts5", "ts7"] as const) {
    it(`ESM on Node, TypeScript ${ts === "ts5" ? "5.9" : "7.0"}: typechecks with moduleResolution bundler, node16 and nodenext; serves; perdure/clients calls it`, async () => {
      const dir = await project(`node-esm-${ts}`);
      const tsc = path.join(dir, "node_modules/.bin/tsc");
      const version = (await run(tsc, ["--version"], { cwd: dir })).output;
      expect(version).toMatch(ts === "ts5" ? /Version 5\.9\./ : /Version 7\.0\./);
      for (const config of ["bundler", "node16", "nodenext"]) await run(tsc, ["-p", `tsconfig.${config}.json`], { cwd: dir });
      await serveAndRegister(process.execPath, ["dist/main.js"], dir, { useHttp11: true });
      const called = await run(process.execPath, ["dist/client.js", server.ingressUrl], { cwd: dir });
      expect(JSON.parse(called.output.trim())).toEqual({ greeting: "Hello Ada (run-1)", day: "2026-01-02T00:00:00.000Z" });
    }, 240_000);
  }

  it("CommonJS: require() of perdure, perdure/node, perdure/msgpack and perdure/clients typechecks (module nodenext) and runs", async () => {
    const dir = await project("cjs");
    await run(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, "dist/main.js"), "utf8")).toContain('require("perdure")');
    await serveAndRegister(process.execPath, ["dist/main.js", "serve"], dir, { useHttp11: true });
    const called = await run(process.execPath, ["dist/main.js", "call", server.ingressUrl], { cwd: dir });
    expect(JSON.parse(called.output.trim())).toEqual({ greeting: "Hello Ada (run-1)", size: 2 });
  }, 240_000);

  it("AWS Lambda: the handler is an APIGatewayProxyHandler (and V2, ALB, function URL) of @types/aws-lambda, and serves by ARN in perdure/testing's Lambda emulator", async () => {
    const dir = await project("lambda");
    await run(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir });
    // msgpackr is an optional peer: not installed here, and perdure/msgpack says what to install.
    expect(fs.existsSync(path.join(dir, "node_modules/msgpackr"))).toBe(false);
    const probe = "import('perdure/msgpack').then(() => console.log('loaded'), (e) => console.log(e.message))";
    const msgpack = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: dir });
    expect(msgpack.output).toMatch(/perdure\/msgpack needs the msgpackr package.*`npm install msgpackr`/);
    // The function's code folder: the compiled module and the project's node_modules (linked, as a zip would hold
    // them), run by the Lambda emulator of the installed perdure/testing; restate-server invokes it by ARN.
    const code = path.join(dir, "function");
    fs.mkdirSync(code);
    fs.copyFileSync(path.join(dir, "dist/handler.js"), path.join(code, "handler.mjs"));
    fs.symlinkSync(path.join(dir, "node_modules"), path.join(code, "node_modules"));
    const testing = (await import(pathToFileURL(path.join(dir, "node_modules/perdure/dist/src/testing/index.js")).href)) as typeof import("../../src/testing/index.js");
    const emulator = await testing.startLambdaEmulator({ region: "eu-central-1", accountId: "123456789012" });
    cleanups.push(() => emulator.stop());
    const lambdaServer = await startRestateServer({ env: testing.lambdaClientEnv(emulator) });
    cleanups.push(() => lambdaServer.stop());
    const version = await emulator.deploy({ name: "pack-lambda", code, handler: "handler.handler", timeoutSeconds: 30 });
    await testing.registerLambdaDeployment(lambdaServer.adminUrl, version.versionArn);
    const res = await fetch(`${lambdaServer.ingressUrl}/PackLambda/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: '"Ada"' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toBe("Hello Ada from Lambda (run-1)");
  }, 240_000);

  it("Cloudflare Workers: typed by `wrangler types` alone (no @cloudflare/workers-types), served by wrangler dev", async () => {
    const dir = await project("workers");
    expect(fs.existsSync(path.join(dir, "node_modules/@cloudflare/workers-types"))).toBe(false);
    const wrangler = path.join(dir, "node_modules/wrangler/bin/wrangler.js");
    const home = path.join(dir, ".home");
    fs.mkdirSync(home, { recursive: true });
    const env = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      WRANGLER_LOG_PATH: path.join(home, "logs"),
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      NO_COLOR: "1",
      CI: "1",
    };
    const node = nodeForWrangler();
    await run(node, ["--no-warnings", wrangler, "types"], { cwd: dir, env });
    expect(fs.readFileSync(path.join(dir, "worker-configuration.d.ts"), "utf8")).toMatch(/GREETING/);
    await run(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir });
    const port = await freePort();
    const args = ["--no-warnings", wrangler, "dev", "--ip", "127.0.0.1", "--port", String(port), "--local", "--show-interactive-dev-session=false", "--log-level", "warn"];
    const proc = start(node, args, { cwd: dir, env });
    await waitHealthy(`http://127.0.0.1:${port}`, proc, 60_000);
    await registerDeployment(server.adminUrl, `http://127.0.0.1:${port}`, { useHttp11: true });
    expect(await callIngress("PackWorkers", "greet", "Ada")).toBe("Welcome Ada");
  }, 240_000);

  it("Bun: typechecks with @types/bun, serves bidirectionally over HTTP/1.1", async () => {
    const dir = await project("bun");
    await run(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir });
    await serveAndRegister(bin("bun"), ["--no-install", "run", "main.ts"], dir, { useHttp11: true, env: { DO_NOT_TRACK: "1" } });
    expect(await callIngress("PackBun", "greet", "Ada")).toBe("Hello Ada from Bun (run-1)");
  }, 240_000);

  it("Deno (package.json project): deno check, serves bidirectionally over h2c", async () => {
    const dir = await project("deno");
    const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    await run(bin("deno"), ["check", "main.ts"], { cwd: dir, env });
    await serveAndRegister(bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-env=PORT", "--allow-read", "main.ts"], dir, { useHttp11: false, env });
    expect(await callIngress("PackDeno", "greet", "Ada")).toBe("Hello Ada from Deno (run-1)");
  }, 240_000);
});
