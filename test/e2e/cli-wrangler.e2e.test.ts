// `perdure dev --runtime workerd` configured by a wrangler.jsonc (comments, trailing commas, a JSON-valued var): the
// compatibility date, flags and [vars] reach the Worker as workerd bindings, through the built CLI.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devPorts, killLeftovers, repoRoot, runCli, until } from "./support/cli-process.js";

const dirs: string[] = [];
afterAll(() => {
  killLeftovers();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("perdure dev --runtime workerd with wrangler.jsonc", () => {
  it("passes [vars] (text and JSON) from wrangler.jsonc to the Worker", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-dev-wrangler-"));
    dirs.push(dir);
    fs.writeFileSync(
      path.join(dir, "wrangler.jsonc"),
      `{
  // read by perdure dev exactly like wrangler reads it
  "name": "jsonc-worker",
  "compatibility_date": "2026-07-01",
  "compatibility_flags": ["nodejs_compat"],
  "vars": {
    "GREETING": "Bonjour", /* text binding */
    "LIMITS": { "max": 3, }, // JSON binding
  },
}
`,
    );
    fs.writeFileSync(
      path.join(dir, "main.ts"),
      [
        `import * as restate from ${JSON.stringify(path.join(repoRoot, "dist/adapters/cloudflare/index.js"))};`,
        `type Env = { GREETING: string; LIMITS: { max: number } };`,
        `const greeter = restate.service({ name: "JsoncGreeter", handlers: {`,
        `  greet: async (ctx: restate.Context, name: string) => {`,
        `    const env = restate.workerEnv<Env>(ctx);`,
        `    return \`\${env.GREETING} \${name} (max \${env.LIMITS.max}, node:buffer \${typeof (globalThis as any).Buffer})\`;`,
        `  },`,
        `} });`,
        `export default restate.endpoint().bind(greeter);`,
        ``,
      ].join("\n"),
    );
    const p = await devPorts();
    const dev = runCli(dir, ["dev", "main.ts", "--runtime", "workerd", "--no-watch", ...p.args]);
    await until(() => dev.output().includes("perdure dev is ready"), "the ready message", dev);
    const res = await fetch(`http://127.0.0.1:${p.ingress}/JsoncGreeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: '"Ada"' });
    // nodejs_compat (a compatibility flag from the file) gives the Worker a global Buffer.
    expect(await res.json()).toBe("Bonjour Ada (max 3, node:buffer function)");
    const config = fs.readFileSync(path.join(dir, ".perdure/workerd/workerd.capnp"), "utf8");
    expect(config).toContain(`compatibilityDate = "2026-07-01"`);
    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
  });

  it("a broken wrangler.jsonc stops perdure dev with the file, line and reason", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-dev-wrangler-"));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "wrangler.jsonc"), `{\n  "vars": { "A": }\n}\n`);
    fs.writeFileSync(path.join(dir, "main.ts"), `export default [];\n`);
    const dev = runCli(dir, ["dev", "main.ts", "--runtime", "workerd", "--no-watch", ...(await devPorts()).args]);
    expect(await dev.exit).toBe(1);
    expect(dev.output()).toMatch(/wrangler\.jsonc:2:\d+: invalid JSON: ValueExpected/);
  });
});
