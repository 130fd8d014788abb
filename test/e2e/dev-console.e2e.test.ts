// What the `perdure dev` console says about invocations, through the built CLI (dist/src/cli/main.js) and the real
// restate-server: a plain Error retrying forever (line + hint, the caller never gets an answer), a BigInt run result,
// ctx.sleep inside a ctx.run closure (stuck), a journal mismatch after editing a sleeping handler under watch, the
// completed/failed lines of --verbose, the printed restate CLI commands (run for real), and `perdure verify` finding
// the mismatch a real code change causes (exit 1) and passing a compatible change (exit 0).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/local/restate-server.js";
import { verifyJournals, type SavedJournal } from "../../src/testing/verify.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/src/cli/main.js");
const distIndex = path.join(root, "dist/src/index.js");

interface Cli {
  child: ChildProcess;
  output(): string;
  exited(): boolean;
}

const running: Cli[] = [];
const dirs: string[] = [];

function runCli(cwd: string, args: string[]): Cli {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  let done = false;
  child.once("exit", () => (done = true));
  const handle = { child, output: () => out, exited: () => done };
  running.push(handle);
  return handle;
}

async function until<T>(probe: () => T | undefined | false, what: string, dev: Cli, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (dev.exited()) throw new Error(`perdure dev exited while waiting for ${what}:\n${dev.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}. Console:\n${dev.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The console line (and its indented continuation lines) that starts with `symbol target id`. */
function block(output: string, pattern: RegExp): string | undefined {
  const lines = output.split("\n");
  const at = lines.findIndex((l) => pattern.test(l));
  if (at < 0) return undefined;
  const out = [lines[at]!];
  for (let i = at + 1; i < lines.length && lines[i]!.startsWith("    "); i++) out.push(lines[i]!);
  return out.join("\n");
}

function project(main: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-console-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(path.join(dir, "src/main.ts"), main);
  return dir;
}

async function ports(): Promise<{ ingress: string; admin: string; args: string[] }> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) return taken.add(p), p;
    }
  };
  const [endpoint, ingress, admin] = [await next(), await next(), await next()];
  return {
    ingress: `http://127.0.0.1:${ingress}`,
    admin: `http://127.0.0.1:${admin}`,
    args: ["--port", String(endpoint), "--ingress-port", String(ingress), "--admin-port", String(admin)],
  };
}

async function send(ingress: string, target: string, body: unknown): Promise<string> {
  const res = await fetch(`${ingress}/${target}/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as { invocationId: string };
  return json.invocationId;
}

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\``);
});

/** Ctrl-C, then wait for perdure dev to stop its endpoint and server and exit. */
async function stop(dev: Cli): Promise<void> {
  if (dev.exited()) return;
  const exited = new Promise((resolve) => dev.child.once("exit", resolve));
  dev.child.kill("SIGINT");
  await exited;
}

afterAll(() => {
  for (const c of running.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const troubled = `import * as restate from ${JSON.stringify(distIndex)};
const console1 = restate.service({
  name: "Console",
  handlers: {
    plain: async (ctx: restate.Context): Promise<string> => {
      throw new Error("boom plain");
    },
    big: async (ctx: restate.Context) => ctx.run("big", () => 10n as unknown as number),
    nested: async (ctx: restate.Context) =>
      ctx.run("outer", async () => {
        await ctx.sleep(100);
        return 1;
      }),
    ok: async (ctx: restate.Context, name: string) => \`hi \${name}\`,
    flaky: restate.handlers.handler(
      { retryPolicy: { maxAttempts: 2, initialInterval: 100, onMaxAttempts: "pause" } },
      async (ctx: restate.Context): Promise<string> => {
        throw new Error("still flaky");
      },
    ),
  },
});
export default restate.endpoint().bind(console1);
`;

function sleeper(step: string): string {
  return `import * as restate from ${JSON.stringify(distIndex)};
const s = restate.service({
  name: "Sleeper",
  handlers: {
    nap: async (ctx: restate.Context): Promise<string> => {
      ${step}
      return "rested";
    },
    ok: async (ctx: restate.Context, name: string) => \`hi \${name}\`,
    term: async (ctx: restate.Context): Promise<string> => {
      throw new restate.TerminalError("nope", { errorCode: 409 });
    },
  },
});
export default restate.endpoint().bind(s);
`;
}

describe.concurrent("perdure dev console", () => {
  it("explains retries (with a hint), a paused invocation, a BigInt result, a ctx call inside ctx.run, stays quiet for healthy calls; the printed restate CLI command kills", async () => {
    const dir = project(troubled);
    const p = await ports();
    const dev = runCli(dir, ["dev", "src/main.ts", "--stall-after", "3", ...p.args]);
    await until(() => dev.output().includes("perdure dev is ready"), "the ready message", dev, 60_000);
    expect(dev.output()).toContain(`web UI    ${p.admin}/ui/`);
    expect(dev.output()).toContain(`RESTATE_ADMIN_URL=${p.admin} npx @restatedev/restate invocations describe <id>`);
    // The UI the server ships is on.
    expect((await fetch(`${p.admin}/ui/`)).status).toBe(200);

    // A plain Error: the caller would wait forever (curl hangs), the console says why and what to do.
    const hanging = await fetch(`${p.ingress}/Console/plain`, { method: "POST", headers: { "content-type": "application/json" }, body: "null", signal: AbortSignal.timeout(2_500) }).then(
      () => "answered",
      () => "no answer",
    );
    expect(hanging).toBe("no answer");
    const plain = await until(() => block(dev.output(), /^↻ Console\/plain inv_\w+ attempt \d+ failed: boom plain/), "the retry line", dev);
    expect(plain).toMatch(/\(at Object\.plain \(src\/main\.ts:\d+:\d+\)\) · retrying (in [\d.]+m?s|now)/);
    expect(plain).toContain("Throw TerminalError for failures that retrying cannot fix");
    expect(plain).toMatch(/retry policy of Console\/plain: first retry after 500ms, interval ×2 up to 1m, at most 70 attempts, then pause/);
    const plainId = /Console\/plain (inv_\w+)/.exec(plain)![1]!;
    expect(plain).toContain(`RESTATE_ADMIN_URL=${p.admin} npx @restatedev/restate invocations cancel ${plainId}`);

    // A BigInt returned from ctx.run: the run and the cause are named.
    const bigId = await send(p.ingress, "Console/big", null);
    const big = await until(() => block(dev.output(), new RegExp(`^↻ Console/big ${bigId} attempt \\d+ failed`)), "the BigInt line", dev);
    expect(big).toContain(`failed in Run "big"`);
    expect(big).toContain("Do not know how to serialize a BigInt");
    expect(big).toContain(`the result of ctx.run "big" is a BigInt, which JSON cannot hold`);

    // ctx.sleep inside a ctx.run closure: refused at once (it used to hang), naming the operation, the run and the fix.
    const nestedId = await send(p.ingress, "Console/nested", null);
    const nested = await until(() => block(dev.output(), new RegExp(`^↻ Console/nested ${nestedId} attempt \\d+ failed`)), "the nested line", dev);
    expect(nested).toContain("ctx.sleep() was called inside the ctx.run('outer') closure; durable operations cannot be nested in a run: move it out of the closure");

    // A handler whose retry policy pauses after 2 attempts: the paused line says how to resume or end it.
    const flakyId = await send(p.ingress, "Console/flaky", null);
    const paused = await until(() => block(dev.output(), new RegExp(`^‖ Console/flaky ${flakyId} paused.*: still flaky \\(at Object\\.<anonymous> \\(src/main\\.ts:\\d+:\\d+\\)\\)$`)), "the paused line", dev);
    expect(paused).toContain(`npx @restatedev/restate invocations resume ${flakyId}`);
    expect(paused).toContain(`invocations kill ${flakyId}`);

    // Healthy traffic: no line by default.
    const okId = await send(p.ingress, "Console/ok", "Ada");
    // The printed kill command, run as printed (CI=1: no confirmation prompt), ends the retrying invocation.
    const kill = /stop it now: (.+?invocations kill inv_\w+)/.exec(plain)![1]!;
    const ran = spawnSync("sh", ["-c", kill], { cwd: root, env: { ...process.env, CI: "1" }, encoding: "utf8", timeout: 30_000 });
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain("Killed 1 invocations");
    await until(() => block(dev.output(), new RegExp(`^✗ Console/plain ${plainId} failed in .*: \\[409\\]`)), "the cancelled line", dev);
    expect(dev.output()).not.toContain(okId);

    await stop(dev);
  }, 150_000);

  it("--verbose: started/suspended/completed/failed lines; editing a sleeping handler: the mismatch line names the command and the fix; perdure verify fails, then passes a compatible change", async () => {
    const dir = project(sleeper(`await ctx.sleep(4_000);`));
    const p = await ports();
    const dev = runCli(dir, ["dev", "src/main.ts", "--verbose", ...p.args]);
    await until(() => dev.output().includes("perdure dev is ready"), "the ready message", dev, 60_000);

    const okId = await send(p.ingress, "Sleeper/ok", "Ada");
    await until(() => new RegExp(`^✓ Sleeper/ok ${okId} completed in [\\d.]+m?s → "hi Ada"$`, "m").test(dev.output()), "the completed line", dev);
    const termId = await send(p.ingress, "Sleeper/term", null);
    await until(() => new RegExp(`^✗ Sleeper/term ${termId} failed in [\\d.]+m?s: \\[409\\] nope$`, "m").test(dev.output()), "the failed line", dev);

    const napId = await send(p.ingress, "Sleeper/nap", null);
    await until(() => new RegExp(`^⏸ Sleeper/nap ${napId} suspended, waiting on sleep until \\d\\d:\\d\\d:\\d\\d UTC$`, "m").test(dev.output()), "the suspended line", dev);
    expect(dev.output()).toMatch(new RegExp(`^→ Sleeper/nap ${napId} started`, "m"));

    // The code changes while it sleeps: watch mode re-registers, the wake-up replays the old journal on new code.
    fs.writeFileSync(path.join(dir, "src/main.ts"), sleeper(`await ctx.run("new-step", () => 1);\n      await ctx.sleep(4_000);`));
    await until(() => dev.output().includes("↻ restarted and re-registered"), "the reload", dev);
    const mismatch = await until(() => block(dev.output(), new RegExp(`^✗ Sleeper/nap ${napId} journal mismatch`)), "the mismatch line", dev);
    expect(mismatch).toContain("journal mismatch at command #1: the journal has SleepCommand, but the code issued RunCommand named 'new-step'");
    expect(mismatch).toContain("it started before your last change");
    expect(mismatch).toContain("keep the old code path");
    expect(mismatch).toContain(`invocations cancel ${napId}`);
    expect(mismatch).toContain(`invocations kill ${napId}`);
    expect(mismatch).toContain(`npx perdure verify --admin ${p.admin} src/main.ts`);

    // perdure verify, against the server, with the incompatible code: lists the invocation, exit 1.
    const saved = path.join(dir, "journals.json");
    const bad = spawnSync(process.execPath, [cli, "verify", "--admin", p.admin, "src/main.ts", "--save", saved], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    expect(bad.status, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toContain(`✗ ${napId} Sleeper/nap (backing-off)`);
    expect(bad.stdout).toContain(`command #1: the journal recorded sleep, the code now issues RunCommand named 'new-step'`);

    // The saved journals replay without a server, with the same verdict.
    const offline = spawnSync(process.execPath, [cli, "verify", "--from", saved, "src/main.ts"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    expect(offline.status, offline.stdout + offline.stderr).toBe(1);
    expect(offline.stdout).toContain(`command #1: the journal recorded sleep, the code now issues RunCommand named 'new-step'`);

    // The function behind it, on the saved journals (no server needed).
    const journals = JSON.parse(fs.readFileSync(saved, "utf8")) as SavedJournal[];
    const compatible = await import(/* @vite-ignore */ distIndex).then((restate: typeof import("../../src/index.js")) =>
      restate.service({
        name: "Sleeper",
        handlers: {
          nap: async (ctx: import("../../src/index.js").Context) => {
            await ctx.sleep(4_000);
            await ctx.run("new-step", () => 1);
            return "rested";
          },
        },
      }),
    );
    const report = await verifyJournals(journals, [compatible]);
    expect(report.ok).toBe(true);

    // A compatible change (the old step first, the new one after it): verify passes and the invocation completes.
    fs.writeFileSync(path.join(dir, "src/main.ts"), sleeper(`await ctx.sleep(4_000);\n      await ctx.run("new-step", () => 1);`));
    const good = spawnSync(process.execPath, [cli, "verify", "--admin", p.admin, "src/main.ts"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/✓ \d+ in-flight invocation\(s\) checked: the new code replays every journal/);
    await until(() => new RegExp(`^✓ Sleeper/nap ${napId} completed in .+ → "rested"$`, "m").test(dev.output()), "the nap to complete on the fixed code", dev, 60_000);

    await stop(dev);
  }, 180_000);
});
