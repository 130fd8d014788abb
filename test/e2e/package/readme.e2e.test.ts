// The README runs as written. Every TypeScript block (see readme-blocks.ts for the rules, and how a block opts out
// with a reason) is typechecked as a module of a project that imports `perdure` by its package name, with the names
// the README takes as given from readme-context.ts. The Node quick start (greeter.ts + main.ts) then runs end to end
// as the README says: `npx perdure dev main.ts` (the built CLI), and the curl call through the ingress.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../src/local/restate-server.js";
import { declaredNames, extractBlocks, type ReadmeBlock } from "./readme-blocks.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = extractBlocks(readme);
const contextSource = fs.readFileSync(fileURLToPath(new URL("./readme-context.ts", import.meta.url)), "utf8");
/** The names readme-context.ts exports (`export const|function|interface|class NAME`, `export { a, b }`). */
const contextNames = [
  ...[...contextSource.matchAll(/^export\s+(?:declare\s+)?(?:const|function|interface|class|type)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!),
  ...[...contextSource.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((m) => m[1]!.split(",").map((n) => n.trim().split(/\s+as\s+/).pop()!)),
].filter(Boolean);

// Inside the repository (under the ignored .perdure/), so that `perdure` resolves to this package by its own name
// (package self-reference through "exports") and hono, zod, vitest… from its node_modules.
let dir: string;

function fileOf(block: ReadmeBlock, index: number): string {
  return block.fileName ?? `block-${String(index + 1).padStart(2, "0")}-line-${block.line}.ts`;
}

/** The block as a module: imports for the context names it uses but does not declare. */
function moduleSource(block: ReadmeBlock): string {
  const own = declaredNames(block.code);
  const wanted = contextNames.filter((n) => !own.has(n) && new RegExp(`(?<![\\w$.])${n.replace("$", "\\$")}(?![\\w$])`).test(block.code));
  const header = wanted.length ? `import { ${wanted.join(", ")} } from "./readme-context.js";\n` : "";
  // `export {}`: a block without imports or exports is still a module (top-level await, its own scope).
  return `${header}${block.code}export {};\n`;
}

beforeAll(() => {
  fs.mkdirSync(path.join(root, ".perdure"), { recursive: true });
  dir = fs.mkdtempSync(path.join(root, ".perdure", "readme-"));
  fs.writeFileSync(path.join(dir, "readme-context.ts"), contextSource);
  blocks.forEach((block, i) => {
    if (!block.skipReason) fs.writeFileSync(path.join(dir, fileOf(block, i)), moduleSource(block));
  });
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
        typeRoots: [path.join(root, "node_modules/@types")],
      },
      include: ["*.ts"],
    }),
  );
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("README.md", () => {
  it("has TypeScript blocks for Node, Bun, Deno, Workers, Lambda, clients and testing; opt-outs give a reason", () => {
    const imports = blocks.filter((b) => !b.skipReason).map((b) => b.code).join("\n");
    for (const sub of ["perdure/node", "perdure/bun", "perdure/deno", "perdure/cloudflare", "perdure/lambda", "perdure/clients", "perdure/testing"]) {
      expect(imports, sub).toContain(`"${sub}"`);
    }
    for (const b of blocks.filter((b) => b.skipReason)) console.log(`README.md:${b.line} (${b.section}) not checked: ${b.skipReason}`);
  });

  it("every TypeScript block typechecks", () => {
    const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8", timeout: 120_000 });
    // Report errors against README lines: file name → block.
    const byFile = new Map(blocks.map((b, i) => [fileOf(b, i), b] as const));
    const report = tsc.stdout.replace(/^(?:\S*\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (all, file: string, line: string) => {
      const block = byFile.get(file);
      if (!block) return all;
      const header = moduleSource(block).split("\n").length - block.code.split("\n").length; // import line(s) added
      return `README.md:${block.line + Number(line) - header} [${block.section}]`;
    });
    expect(tsc.status, report).toBe(0);
  }, 180_000);

  it("the Node quick start runs as written: perdure dev main.ts, then the curl call through the ingress", async () => {
    const main = blocks.find((b) => b.fileName === "main.ts");
    const greeterFile = blocks.find((b) => b.fileName === "greeter.ts");
    expect(main && greeterFile, "the quick start's greeter.ts and main.ts blocks").toBeTruthy();
    const curl = /curl -X POST http:\/\/127\.0\.0\.1:8080\/(\w+)\/(\w+) -H 'content-type: application\/json' -d '([^']*)'/.exec(readme);
    expect(curl, "the README's curl call").toBeTruthy();
    // Only the ports change (tests run side by side): the endpoint port of main.ts and perdure dev's own ports.
    const [endpoint, ingress, admin] = [await freePort(), await freePort(), await freePort()];
    const quick = fs.mkdtempSync(path.join(dir, "quick-start-"));
    fs.writeFileSync(path.join(quick, "greeter.ts"), greeterFile!.code);
    fs.writeFileSync(path.join(quick, "main.ts"), main!.code.replace(/\b9080\b/g, String(endpoint)));
    const cli = path.join(root, "dist/src/cli/main.js");
    const child = spawn(process.execPath, [cli, "dev", "main.ts", "--no-watch", "--ingress-port", String(ingress), "--admin-port", String(admin)], {
      cwd: quick,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      while (!output.includes("perdure dev is ready")) {
        if (child.exitCode !== null) throw new Error(`perdure dev exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`perdure dev was not ready in time:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const [, service, handler, body] = curl!;
      const res = await fetch(`http://127.0.0.1:${ingress}/${service}/${handler}`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatch(/^Hello, Ada! \([0-9a-f-]{36}\)$/);
    } finally {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      expect(await exited, output).toBe(0);
      clearTimeout(timer);
    }
  }, 90_000);
});
