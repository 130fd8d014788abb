// `perdure dev` end to end, through the built CLI (dist/src/cli/main.js, what `npx perdure` runs): start, register,
// invoke, file change → restart + re-register, Ctrl-C → every child process gone and every port free; plus the
// errors a user can run into, and the Bun and Deno runtimes.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/clients/index.js";
import { freePort, isPortFree } from "../../src/local/restate-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/src/cli/main.js");
const distIndex = path.join(root, "dist/src/index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Cli {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
  exited(): boolean;
}

/** Waits for the ready message; fails at once, with the CLI's output, if it exits first. */
async function ready(dev: Cli, timeoutMs = 40_000): Promise<void> {
  await until(() => {
    if (dev.output().includes("perdure dev is ready")) return true;
    if (dev.exited()) throw new Error(`perdure dev exited before it was ready:\n${dev.output()}`);
    return false;
  }, "the ready message", timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${dev.output()}`);
  });
}

const running: Cli[] = [];

function runCli(cwd: string, args: string[]): Cli {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  let done = false;
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => ((done = true), resolve(code))));
  const handle = { child, output: () => out, exit, exited: () => done };
  running.push(handle);
  return handle;
}

function greeterSource(version: string): string {
  return [
    `import * as restate from ${JSON.stringify(distIndex)};`,
    `const greeter = restate.service({`,
    `  name: "DevGreeter",`,
    `  handlers: { greet: async (ctx: restate.Context, name: string): Promise<string> => \`Hello \${name} ${version}\` },`,
    `});`,
    `export default restate.endpoint().bind(greeter);`,
    ``,
  ].join("\n");
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-dev-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

interface SessionFile {
  pid: number;
  server: { pid: number; ingressUrl: string; adminUrl: string };
  endpoint: { pid: number; url: string };
}

const readSession = (dir: string): SessionFile | undefined => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, ".perdure/dev.json"), "utf8")) as SessionFile;
  } catch {
    return undefined;
  }
};

// Tests here run concurrently: a port handed to one test is never handed to another, even before anything binds it.
const handedOut = new Set<number>();
async function uniqueFreePort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

async function ports() {
  const [endpoint, ingress, admin] = [await uniqueFreePort(), await uniqueFreePort(), await uniqueFreePort()];
  return { endpoint, ingress, admin, args: ["--port", String(endpoint), "--ingress-port", String(ingress), "--admin-port", String(admin)] };
}

const dirs: string[] = [];

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm install does it)`);
  const stale = newestMtime(path.join(root, "src/cli")) > fs.statSync(cli).mtimeMs + 1_000;
  if (stale) throw new Error("dist/ is older than src/cli: run `npm run build` before this test");
});

afterAll(() => {
  // Anything a failed test left running (perdure dev's own exit hooks then stop its children).
  for (const c of running.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  }
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

// Each test has its own project folder and ports: they run side by side.
describe.concurrent("perdure dev", () => {
  it("starts, registers, serves, re-registers after a change and stops cleanly", async () => {
    const dir = project({ "src/main.ts": greeterSource("v1") });
    dirs.push(dir);
    const p = await ports();
    const dev = runCli(dir, ["dev", "src/main.ts", ...p.args]);
    await ready(dev);
    const out = dev.output();
    expect(out).toContain(`ingress   http://127.0.0.1:${p.ingress}`);
    expect(out).toContain(`endpoint  http://127.0.0.1:${p.endpoint}  (node, request-response)`);
    expect(out).toContain("DevGreeter (service: greet)");
    expect(out).toContain(`curl -X POST http://127.0.0.1:${p.ingress}/DevGreeter/greet -H 'content-type: application/json' -d`);
    const first = readSession(dir)!;
    expect(first.server.ingressUrl).toBe(`http://127.0.0.1:${p.ingress}`);
    expect(fs.existsSync(path.join(dir, ".perdure/restate"))).toBe(true);

    const rs = connect({ url: first.server.ingressUrl });
    const greeter = { name: "DevGreeter" } as { name: "DevGreeter" };
    const greet = (name: string) => (rs.serviceClient(greeter) as unknown as { greet(n: string): Promise<string> }).greet(name);
    expect(await greet("Ada")).toBe("Hello Ada v1");

    fs.writeFileSync(path.join(dir, "src/main.ts"), greeterSource("v2"));
    await until(() => dev.output().includes("↻ restarted and re-registered"), "the re-registration", 20_000);
    expect(await greet("Ada")).toBe("Hello Ada v2");
    const second = readSession(dir)!;
    expect(second.endpoint.pid).not.toBe(first.endpoint.pid);
    expect(alive(first.endpoint.pid)).toBe(false);

    // A change that does not compile: reported, the CLI keeps watching; the next good change is served again.
    fs.writeFileSync(path.join(dir, "src/main.ts"), "export default restate.endpoint(;\n");
    await until(() => dev.output().includes("✗ reload failed, still watching"), "the failed reload", 20_000);
    fs.writeFileSync(path.join(dir, "src/main.ts"), greeterSource("v3"));
    await until(() => dev.output().split("↻ restarted and re-registered").length === 3, "the second re-registration", 20_000);
    expect(await greet("Ada")).toBe("Hello Ada v3");
    const third = readSession(dir)!;

    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
    expect(dev.output()).toContain("stopped");
    for (const pid of [third.server.pid, third.endpoint.pid, third.pid]) expect(alive(pid), `pid ${pid}`).toBe(false);
    for (const port of [p.endpoint, p.ingress, p.admin]) expect(await isPortFree(port), `port ${port}`).toBe(true);
    expect(readSession(dir)).toBeUndefined();
  });

  it("serves a list of services on Bun in bidirectional mode", async () => {
    const dir = project({
      "main.ts": greeterSource("on bun").replace("export default restate.endpoint().bind(greeter);", "export default [greeter];"),
    });
    dirs.push(dir);
    const p = await ports();
    const dev = runCli(dir, ["dev", "main.ts", "--runtime", "bun", "--mode", "bidi", "--no-watch", ...p.args]);
    await ready(dev);
    expect(dev.output()).toContain("(bun, bidirectional)");
    const rs = connect({ url: `http://127.0.0.1:${p.ingress}` });
    expect(await (rs.serviceClient({ name: "DevGreeter" }) as unknown as { greet(n: string): Promise<string> }).greet("Bo")).toBe("Hello Bo on bun");
    const session = readSession(dir)!;
    dev.child.kill("SIGTERM");
    expect(await dev.exit).toBe(0);
    expect(alive(session.endpoint.pid)).toBe(false);
    expect(alive(session.server.pid)).toBe(false);
  });

  it("serves a fetch handler on Deno", async () => {
    const dir = project({
      "main.ts": greeterSource("on deno").replace("export default restate.endpoint().bind(greeter);", "export default restate.endpoint().bind(greeter).handler();"),
    });
    dirs.push(dir);
    const p = await ports();
    const dev = runCli(dir, ["dev", "main.ts", "--runtime", "deno", "--no-watch", ...p.args]);
    await ready(dev);
    expect(dev.output()).toContain("(deno, request-response)");
    const rs = connect({ url: `http://127.0.0.1:${p.ingress}` });
    expect(await (rs.serviceClient({ name: "DevGreeter" }) as unknown as { greet(n: string): Promise<string> }).greet("Cy")).toBe("Hello Cy on deno");
    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
  });
});

describe.concurrent("perdure dev on workerd", () => {
  it("bundles the entry, serves it with the workerd binary and registers it over HTTP/1.1", async () => {
    const dir = project({
      "worker/main.ts": greeterSource("on workerd").replace(
        "`Hello ${name} on workerd`",
        // [vars] of the project's wrangler.toml arrive as the Worker's env (the first extra fetch argument).
        "{ console.log(`workerd greets ${name}`); return `${(ctx.request().extraArgs[0] as { GREETING: string }).GREETING} ${name} on workerd`; }",
      ),
      "wrangler.toml": 'compatibility_date = "2026-07-01"\n[vars]\nGREETING = "hi"\n',
    });
    dirs.push(dir);
    const p = await ports();
    const dev = runCli(dir, ["dev", "worker/main.ts", "--runtime", "workerd", "--no-watch", ...p.args]);
    await ready(dev);
    expect(dev.output()).toContain("(workerd, request-response)");
    const rs = connect({ url: `http://127.0.0.1:${p.ingress}` });
    expect(await (rs.serviceClient({ name: "DevGreeter" }) as unknown as { greet(n: string): Promise<string> }).greet("Di")).toBe("hi Di on workerd");
    await until(() => dev.output().includes("[workerd] workerd greets Di"), "the Worker's console line");
    const session = readSession(dir)!;
    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
    expect(alive(session.endpoint.pid)).toBe(false);
    const bidi = runCli(dir, ["dev", "worker/main.ts", "--runtime", "workerd", "--mode", "bidi"]);
    expect(await bidi.exit).toBe(1);
    expect(bidi.output()).toContain("workerd serves request-response only");
  });
});

describe.concurrent("perdure dev errors", () => {
  it("a missing entry file", async () => {
    const dir = project({});
    dirs.push(dir);
    const dev = runCli(dir, ["dev", "nope.ts"]);
    expect(await dev.exit).toBe(1);
    expect(dev.output()).toMatch(/entry file nope\.ts does not exist/);
  });

  it("a port in use", async () => {
    const dir = project({ "main.ts": greeterSource("x") });
    dirs.push(dir);
    const net = await import("node:net");
    const blocker = net.createServer();
    const port = await new Promise<number>((r) => blocker.listen(0, "127.0.0.1", () => r((blocker.address() as { port: number }).port)));
    try {
      const dev = runCli(dir, ["dev", "main.ts", "--port", String(port)]);
      expect(await dev.exit).toBe(1);
      expect(dev.output()).toContain(`the endpoint port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("an entry that starts its own server (the README's main.ts), on Node and on Deno", async () => {
    const greeterModule = greeterSource("self-served").replace("export default restate.endpoint().bind(greeter);", "export { greeter };");
    const p = await ports();
    const dir = project({
      "greeter.ts": greeterModule,
      // As in the README: a fixed port, the NodeNext-style `.js` suffix for a .ts file, no default export.
      "main.ts": [
        `import * as restate from ${JSON.stringify(distIndex)};`,
        `import { serve } from ${JSON.stringify(path.join(root, "dist/adapters/node/index.js"))};`,
        `import { greeter } from "./greeter.js";`,
        `const handler = restate.createEndpointHandler({ services: [greeter] });`,
        `const server = await serve(handler, { port: ${p.endpoint} });`,
        `console.log(\`endpoint listening on \${server.url}\`);`,
        ``,
      ].join("\n"),
      "deno-main.ts": [
        `import * as restate from ${JSON.stringify(distIndex)};`,
        `import { greeter } from "./greeter.ts";`,
        `Deno.serve({ port: Number(Deno.env.get("PORT")), hostname: "127.0.0.1" }, restate.endpoint().bind(greeter).handler().fetch);`,
        ``,
      ].join("\n"),
    });
    dirs.push(dir);
    const node = runCli(dir, ["dev", "main.ts", "--no-watch", "--ingress-port", String(p.ingress), "--admin-port", String(p.admin)]);
    await ready(node);
    expect(node.output()).toContain(`endpoint listening on http://127.0.0.1:${p.endpoint}`);
    expect(node.output()).toContain(`endpoint  http://127.0.0.1:${p.endpoint}  (node, request-response)`);
    const greet = (url: string, name: string) =>
      (connect({ url }).serviceClient({ name: "DevGreeter" }) as unknown as { greet(n: string): Promise<string> }).greet(name);
    expect(await greet(`http://127.0.0.1:${p.ingress}`, "Ada")).toBe("Hello Ada self-served");
    node.child.kill("SIGINT");
    expect(await node.exit).toBe(0);
    for (const port of [p.endpoint, p.ingress, p.admin]) expect(await isPortFree(port), `port ${port}`).toBe(true);

    // Deno.serve called by the entry itself, on the port perdure dev hands over in $PORT.
    const q = await ports();
    const deno = runCli(dir, ["dev", "deno-main.ts", "--runtime", "deno", "--no-watch", ...q.args]);
    await ready(deno);
    expect(deno.output()).toContain(`endpoint  http://127.0.0.1:${q.endpoint}  (deno, request-response)`);
    expect(await greet(`http://127.0.0.1:${q.ingress}`, "Bo")).toBe("Hello Bo self-served");
    deno.child.kill("SIGINT");
    expect(await deno.exit).toBe(0);

    // --mode cannot apply to a server the entry configured itself: refused, not ignored.
    const r = await ports();
    const moded = runCli(dir, ["dev", "deno-main.ts", "--runtime", "deno", "--mode", "bidi", "--no-watch", ...r.args]);
    expect(await moded.exit).toBe(1);
    expect(moded.output()).toMatch(/starts its own server \(it has no default export\), so --mode cannot choose its protocol mode/);
  });

  it("no arguments: the usage, exit status 2", async () => {
    const dir = project({});
    dirs.push(dir);
    const none = runCli(dir, []);
    expect(await none.exit).toBe(2);
    expect(none.output()).toContain("Usage: perdure dev <entry> [options]");
  });

  it("usage mistakes", async () => {
    const dir = project({ "main.ts": greeterSource("x") });
    dirs.push(dir);
    const bad = runCli(dir, ["dev", "main.ts", "--runtime", "python"]);
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toMatch(/--runtime must be one of node, bun, deno, workerd/);
  });

  it("an entry without a default export, and an endpoint the server cannot discover", async () => {
    const dir = project({
      "none.ts": "export const x = 1;\n",
      "broken.ts": [
        "export default (request: Request) => new URL(request.url).pathname === '/health'",
        "  ? new Response('OK') : new Response('no discovery here', { status: 418 });",
        "",
      ].join("\n"),
    });
    dirs.push(dir);
    const p = await ports();
    const none = runCli(dir, ["dev", "none.ts", "--no-watch", ...p.args]);
    expect(await none.exit).toBe(1);
    expect(none.output()).toMatch(/has no default export and started no server within 5 s: the entry's default export must be an endpoint builder/);
    const p2 = await ports();
    const broken = runCli(dir, ["dev", "broken.ts", "--no-watch", ...p2.args]);
    expect(await broken.exit).toBe(1);
    expect(broken.output()).toMatch(/restate-server could not register http:\/\/127\.0\.0\.1:\d+: .*418/);
    for (const port of [p2.endpoint, p2.ingress, p2.admin]) expect(await isPortFree(port)).toBe(true);
  });
});
