// The perdure lint rules (perdure/eslint) with ESLint's RuleTester: valid and invalid cases for each rule, plus the
// recommended flat config run through ESLint itself.
import { ESLint, RuleTester } from "eslint";
import { describe, expect, it } from "vitest";
import plugin from "../../../src/eslint/index.js";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: "module" } });
const rule = (name: string) => plugin.rules[name] as never;

/** A service whose handler body is `body`. */
const handler = (body: string) => `export const svc = restate.service({ name: "S", handlers: { go: async (ctx, input) => { ${body} } } });`;

tester.run("no-nondeterminism", rule("no-nondeterminism"), {
  valid: [
    handler(`const n = await ctx.run("roll", () => Math.random()); return n;`),
    handler(`const id = ctx.rand.uuidv4(); const t = ctx.date.now(); return [id, t];`),
    handler(`const r = await ctx.run("get", async () => (await fetch("https://x")).json()); return r;`),
    handler(`return new Date(input.when).toISOString();`),
    // Not durable code: a plain function.
    `export function roll() { return Math.random() + Date.now(); }`,
    // A helper that receives the context is durable code, but this one is deterministic.
    `async function step(ctx) { return ctx.rand.random(); }`,
    handler(`return await ctx.run("now", () => { const d = new Date(); return d.getTime(); });`),
  ],
  invalid: [
    { code: handler(`return Math.random();`), errors: [{ messageId: "nondeterministic", data: { call: "Math.random()", instead: "ctx.rand.random()" } }] },
    { code: handler(`const t = Date.now(); return t;`), errors: [{ messageId: "nondeterministic" }] },
    { code: handler(`return new Date().toISOString();`), errors: [{ messageId: "nondeterministic", data: { call: "new Date()", instead: "new Date(ctx.date.now()) (or ctx.date.toJSON())" } }] },
    { code: handler(`return crypto.randomUUID();`), errors: [{ messageId: "nondeterministic", data: { call: "crypto.randomUUID()", instead: "ctx.rand.uuidv4()" } }] },
    { code: handler(`const b = new Uint8Array(4); crypto.getRandomValues(b); return b;`), errors: [{ messageId: "nondeterministic" }] },
    { code: handler(`const r = await fetch("https://example.com"); return r.status;`), errors: [{ messageId: "nondeterministic" }] },
    { code: handler(`return performance.now();`), errors: [{ messageId: "nondeterministic" }] },
    // Inside a plain callback of the handler: still durable code.
    { code: handler(`return input.items.map((x) => x * Math.random());`), errors: [{ messageId: "nondeterministic" }] },
    // A helper taking the context; and handlers written as methods.
    { code: `async function step(ctx) { return Date.now(); }`, errors: [{ messageId: "nondeterministic" }] },
    { code: `restate.object({ name: "O", handlers: { async add(c, n) { return Math.random() + n; } } });`, errors: [{ messageId: "nondeterministic" }] },
    // Other context names through the option.
    { code: `async function step(c) { return Date.now(); }`, options: [{ contextNames: ["c"] }], errors: [{ messageId: "nondeterministic" }] },
  ],
});

tester.run("no-ctx-in-run", rule("no-ctx-in-run"), {
  valid: [
    handler(`await ctx.sleep(100); const r = await ctx.run("step", () => 1); return r;`),
    handler(`const key = ctx.key; return await ctx.run("use", () => key.length);`),
    // A closure with its own parameter named ctx is not the handler's context.
    handler(`return await ctx.run("x", () => [1].map((ctx) => ctx + 1));`),
    // A run on something that is not a context.
    `export function f(runner) { return runner.run(() => ctx.sleep(1)); }`,
    handler(`return await ctx.run("obj", () => ({ ctx: 1 }));`),
  ],
  invalid: [
    {
      code: handler(`return await ctx.run("outer", async () => { await ctx.sleep(100); return 1; });`),
      errors: [{ messageId: "ctxInRun", data: { what: "ctx.sleep" } }],
    },
    { code: handler(`return await ctx.run("a", async () => ctx.run("b", () => 1));`), errors: [{ messageId: "ctxInRun", data: { what: "ctx.run" } }] },
    { code: handler(`return await ctx.run("s", async () => ctx.get("k"));`), errors: [{ messageId: "ctxInRun", data: { what: "ctx.get" } }] },
    { code: handler(`return await ctx.run("h", async () => helper(ctx));`), errors: [{ messageId: "ctxInRun", data: { what: "ctx" } }] },
    { code: handler(`return await ctx.run(async function () { return ctx.rand.random(); });`), errors: [{ messageId: "ctxInRun", data: { what: "ctx.rand" } }] },
    {
      code: `restate.service({ name: "S", handlers: { go: async (c) => c.run("x", () => c.sleep(1)) } });`,
      errors: [{ messageId: "ctxInRun", data: { what: "c.sleep" } }],
    },
  ],
});

tester.run("no-floating-durable-promise", rule("no-floating-durable-promise"), {
  valid: [
    handler(`await ctx.run("a", () => 1);`),
    handler(`return ctx.run("a", () => 1);`),
    handler(`const a = ctx.run("a", () => 1); const b = ctx.sleep(10); await RestatePromise.all([a, b]);`),
    handler(`await Promise.all([ctx.run("a", () => 1), ctx.run("b", () => 2)]);`),
    handler(`const r = await ctx.serviceClient(Other).greet("x"); return r;`),
    handler(`void ctx.run("fire-and-forget", () => 1);`),
    handler(`const p = ctx.run("later", () => 1); return \`\${await p}\`;`),
    handler(`ctx.serviceSendClient(Other).greet("x");`),
    `export async function notDurable(x) { x.run("a"); }`,
  ],
  invalid: [
    { code: handler(`ctx.run("a", () => 1); return 1;`), errors: [{ messageId: "dropped", data: { what: "ctx.run(…)" } }] },
    { code: handler(`ctx.sleep(1000); return "done";`), errors: [{ messageId: "dropped" }] },
    { code: handler(`ctx.serviceClient(Payments).charge(10); return 1;`), errors: [{ messageId: "dropped", data: { what: "the call ctx.serviceClient(…).charge(…)" } }] },
    { code: handler(`return \`Hello, \${input}! (\${ctx.run("n", () => 1)})\`;`), errors: [{ messageId: "asValue" }] },
    { code: handler(`return "n=" + ctx.run("n", () => 1);`), errors: [{ messageId: "asValue" }] },
    { code: handler(`const p = ctx.run("n", () => 1); return 1;`), errors: [{ messageId: "unused", data: { what: "ctx.run(…)", name: "p" } }] },
    { code: handler(`ctx.promise("p").get(); return 1;`), errors: [{ messageId: "dropped" }] },
  ],
});

describe("perdure/eslint recommended config", () => {
  it("reports all three kinds of mistakes through ESLint's flat config", async () => {
    const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: [plugin.configs.recommended as never] });
    const [result] = await eslint.lintText(
      handler(`const id = crypto.randomUUID(); ctx.run("x", async () => { await ctx.sleep(1); }); return id;`),
    );
    expect(result!.messages.map((m) => m.ruleId).sort()).toEqual(["perdure/no-ctx-in-run", "perdure/no-floating-durable-promise", "perdure/no-nondeterminism"]);
  });
});

describe("perdure/eslint as a package entry point", () => {
  it("loads by package name from the built output", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const script = `const p = (await import("perdure/eslint")).default; console.log(JSON.stringify(Object.keys(p.configs.recommended.rules)));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(["perdure/no-nondeterminism", "perdure/no-ctx-in-run", "perdure/no-floating-durable-promise"]);
  });
});

// TypeScript sources through typescript-eslint's parser: contexts recognised by their type, casts looked through.
const tsParser = await import("@typescript-eslint/parser");
const tsTester = new RuleTester({ languageOptions: { parser: tsParser as never, ecmaVersion: 2022, sourceType: "module" } });

tsTester.run("no-nondeterminism (TypeScript)", rule("no-nondeterminism"), {
  valid: [`async function step(c: restate.ObjectContext): Promise<number> { return c.rand.random(); }`, `function plain(n: number): number { return Math.random() * n; }`],
  invalid: [
    { code: `async function step(c: restate.ObjectContext): Promise<number> { return Math.random(); }`, errors: [{ messageId: "nondeterministic" }] },
    { code: `const h = async (x: WorkflowContext, id: string) => Date.now();`, errors: [{ messageId: "nondeterministic" }] },
  ],
});

tsTester.run("no-ctx-in-run (TypeScript)", rule("no-ctx-in-run"), {
  valid: [`async function f(c: Context) { const v = await c.run("a", (): number => 1); return v; }`],
  invalid: [{ code: `async function f(c: Context) { return c.run("a", async (): Promise<number> => { await c.sleep(1); return 1; }); }`, errors: [{ messageId: "ctxInRun" }] }],
});

tsTester.run("no-floating-durable-promise (TypeScript)", rule("no-floating-durable-promise"), {
  valid: [`async function f(ctx: Context) { return (await ctx.run("a", () => 1)) as number; }`],
  invalid: [
    { code: `async function f(ctx: Context) { ctx.run("a", () => 1) as unknown; }`, errors: [{ messageId: "dropped" }] },
    { code: `async function f(ctx: Context, name: string) { return \`Hello, \${name}! (\${ctx.run("n", () => 1)!})\`; }`, errors: [{ messageId: "asValue" }] },
  ],
});
