// The journal harness (perdure/testing/harness) is portable: its import graph has no Node built-ins (an esbuild
// bundle for platform neutral with the workerd conditions, as wrangler bundles a Worker), and one program on it
// (fixtures/harness-program.ts: a replay that passes, a journal mismatch, a recorded run replayed against changed
// code, verifyJournals on saved journals) gives the same answers on Node, and on the real Bun, Deno and workerd from
// node_modules: Bun and Deno load its TypeScript source, workerd runs the bundle with `workerd test`.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProgram } from "./fixtures/harness-program.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const fixture = (name: string) => path.join(root, "test/unit/testing/fixtures", name);
const RUNTIME_TIMEOUT_MS = 30_000;

/** Bundles as wrangler bundles a Worker; returns the code and the files it was made of. */
async function bundle(input: { entryPoints: string[] } | { stdin: { contents: string; resolveDir: string; sourcefile: string; loader: "ts" } }) {
  const result = await build({
    ...input,
    bundle: true, format: "esm", platform: "neutral", target: "es2022", write: false, metafile: true, logLevel: "silent",
    mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"],
  });
  return { code: result.outputFiles[0]!.contents, text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

type ProgramResult = Awaited<ReturnType<typeof runProgram>>;

function expected(runtime: string): ProgramResult {
  return {
    runtime,
    floating: {
      output: '"Hello, Ada! ([object Promise])"',
      warnings: ["The handler returned while 1 journaled promise(s) it created were pending; await them: ctx.run('suffix') at <program line>"],
    },
    nestedAfterAwait:
      runtime === "workerd"
        ? "no AsyncLocalStorage"
        : {
            status: "failed",
            message:
              "ctx.run 'outer' failed after 1 attempt(s): ctx.sleep() was called inside the ctx.run('outer') closure; durable operations cannot be nested in a run: move it out of the closure",
          },
    replay: { status: "completed", output: "Hello ada", commands: ['run "greeting"', 'output "Hello ada"'], closureRuns: 0 },
    mismatch: {
      status: "mismatch",
      code: 570,
      index: 1,
      message: expect.stringMatching(/^Journal mismatch at command index 1: .*'other-step'.*"greeting"/) as unknown as string,
    },
    fresh: { status: "completed", output: "Hello bob", closureRuns: 1 },
    recorded: { status: "mismatch", code: 570 },
    verify: { ok: false, verdicts: [["inv_follows", "compatible", null], ["inv_diverges", "mismatch", 1]] },
  };
}

/** Runs `command`, returns the `RESULT=<json>` line it printed (every other line is the handler's log). */
function runForResult(command: string, args: string[], env: Record<string, string> = {}): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: root, env: { ...process.env, ...env }, timeout: RUNTIME_TIMEOUT_MS, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const line = `${stdout}\n${stderr}`.split("\n").find((l) => l.startsWith("RESULT="));
      if (err || !line) return reject(new Error(`${path.basename(command)} ${args.join(" ")} failed: ${err?.message ?? "no RESULT line"}\n${stdout}\n${stderr}`));
      resolve(JSON.parse(line.slice("RESULT=".length)) as ProgramResult);
    });
  });
}

function compatibilityDate(): string {
  const toml = fs.readFileSync(path.join(root, "wrangler.toml"), "utf8");
  return /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml)![1]!;
}

describe("the journal harness on every runtime", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-harness-rt-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("perdure/testing/harness bundles for Workers with no Node built-in in its import graph", async () => {
    const { text, inputs } = await bundle({ entryPoints: [path.join(root, "src/testing/harness/index.ts")] });
    expect(inputs.some((f) => f.includes("src/testing/harness/run-handler"))).toBe(true);
    expect(inputs.filter((f) => /^node:|src\/local\/|src\/cli\//.test(f))).toEqual([]);
    expect(text).not.toMatch(/["']node:/);
    expect(text).not.toMatch(/\b(child_process|process\.env)\b/);
  });

  it("Node (this process)", async () => {
    expect(await runProgram()).toEqual(expected("node"));
  });

  it("Bun (TypeScript source)", async () => {
    expect(await runForResult(bin("bun"), [fixture("harness-main.ts")])).toEqual(expected("bun"));
  }, RUNTIME_TIMEOUT_MS);

  it("Deno (TypeScript source, no permissions)", async () => {
    const denoDir = path.join(dir, "deno");
    const args = ["run", "--no-remote", "--cached-only", "--no-prompt", "--unstable-sloppy-imports", fixture("harness-main.ts")];
    expect(await runForResult(bin("deno"), args, { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" })).toEqual(expected("deno"));
  }, RUNTIME_TIMEOUT_MS);

  it("workerd (the Workers bundle, `workerd test`)", async () => {
    const entry = [
      `import { runProgram } from ${JSON.stringify(fixture("harness-program.ts"))};`,
      `export default { async test() { console.log("RESULT=" + JSON.stringify(await runProgram())); } };`,
    ].join("\n");
    const { code, inputs } = await bundle({ stdin: { contents: entry, resolveDir: root, sourcefile: "worker.ts", loader: "ts" } });
    expect(inputs.filter((f) => f.startsWith("node:"))).toEqual([]);
    fs.writeFileSync(path.join(dir, "worker.js"), code);
    const config = path.join(dir, "harness.capnp");
    fs.writeFileSync(
      config,
      [
        `using Workerd = import "/workerd/workerd.capnp";`,
        `const config :Workerd.Config = (services = [(name = "main", worker = .harness)]);`,
        `const harness :Workerd.Worker = (`,
        `  modules = [(name = "worker.js", esModule = embed "worker.js")],`,
        `  compatibilityDate = ${JSON.stringify(compatibilityDate())},`,
        `);`,
        ``,
      ].join("\n"),
    );
    expect(await runForResult(bin("workerd"), ["test", config])).toEqual(expected("workerd"));
  }, RUNTIME_TIMEOUT_MS);
});
