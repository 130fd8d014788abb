// The core loads unchanged on Workers, Deno and Bun: no module reachable from the fetch-standard entries may import
// `node:*`, use Node's `Buffer`/`process`, or pull in the Node-only tooling (src/local, src/cli, src/testing — the
// local restate-server launcher, the CLI and the testing kit, which run on Node only and are reached through
// `perdure/testing` and the `perdure` bin). Checked on what esbuild actually bundles, not on a list of folders.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const PORTABLE_ENTRIES = ["src/fetch.ts", "src/entries/web.ts", "src/clients/index.ts", "adapters/cloudflare/index.ts", "adapters/hono/index.ts", "adapters/deno/index.ts", "adapters/bun/index.ts"];
const NODE_ONLY_DIRS = /^src\/(local|cli|testing)\//;
// Identifiers only Node provides as globals (a mention in a comment or string does not count: those are stripped).
const NODE_GLOBALS = /\b(Buffer|process|__dirname|__filename|require)\s*[.(]/;

function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:\\])\/\/.*$/gm, "$1").replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
}

describe("the portable core", () => {
  it.each(PORTABLE_ENTRIES)("%s reaches no node: module, Node global or Node-only tooling", async (entry) => {
    const result = await build({
      entryPoints: [`${root}/${entry}`],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      external: ["node:*", "hono", "hono/*", "zod", "@msgpack/*"],
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    const nodeImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path)).filter((p) => p.startsWith("node:"));
    expect(nodeImports, `${entry} imports Node built-ins`).toEqual([]);
    expect(inputs.filter((f) => NODE_ONLY_DIRS.test(f)), `${entry} reaches Node-only tooling`).toEqual([]);
    const usingNodeGlobals = inputs.filter((f) => f.endsWith(".ts") && NODE_GLOBALS.test(codeOnly(readFileSync(`${root}/${f}`, "utf8"))));
    expect(usingNodeGlobals, `${entry} reaches modules that use Node globals`).toEqual([]);
  });

  it("the check sees a Node global where there is one, and not in comments or strings", () => {
    expect(NODE_GLOBALS.test(codeOnly("const b = Buffer.from(x);"))).toBe(true);
    expect(NODE_GLOBALS.test(codeOnly("const e = process.env.X;"))).toBe(true);
    expect(NODE_GLOBALS.test(codeOnly("// Buffer.from is Node's\nconst s = \"process.env\"; /* require(x) */"))).toBe(false);
  });
});
