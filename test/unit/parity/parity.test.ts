// Parity with the official Restate TypeScript SDK 1.17.2 packages (pinned devDependencies), entry by entry:
//   1. runtime: every value the official entry exports exists in perdure's with the same kind (class, function, object)
//   2. types: every exported name (types and values) of the official entry exists in perdure's
//   3. signatures: the important types and functions agree (see signatures.ts), checked by the TypeScript compiler
// Whatever differs must be listed in compat/differences.json with its reason, and every listed difference must still
// exist. The README's compatibility table must be the one generated from that file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { installOfficialSdkPolyfills } from "../../e2e/support/official-sdk-polyfills.js";
import { renderTable } from "../../../compat/render-table.mjs";
import { ENTRY_PAIRS, type EntryPair } from "./entries.js";
import { SIGNATURE_CHECKS, type SignatureCheck } from "./signatures.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

type Aspect = "runtime" | "type" | "signature";
interface Difference {
  entries: string[];
  names: string[];
  aspect?: Aspect;
  /** Signatures only: which assignment fails ("perdure → official" or "official → perdure"); both when absent. */
  direction?: string;
  status: "deliberate" | "pending-core" | "missing";
  reason: string;
}
const differences = JSON.parse(readFileSync(path.join(root, "compat/differences.json"), "utf8")) as { differences: Difference[] };

/** A place where perdure differs: entry (perdure label), name, aspect, and what was seen. */
interface Found {
  entry: string;
  name: string;
  aspect: Aspect;
  direction?: string;
  detail: string;
}

function matches(d: Difference, f: Found, entry: string, name: string): boolean {
  return f.entry === entry && f.name === name && (d.aspect === undefined || d.aspect === f.aspect) && (d.direction === undefined || d.direction === f.direction);
}

function listed(found: Found): Difference | undefined {
  return differences.differences.find((d) => d.entries.includes(found.entry) && d.names.includes(found.name) && matches(d, found, found.entry, found.name));
}

function kindOf(value: unknown): string {
  if (typeof value === "function") return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "class" : "function";
  return value === null ? "null" : typeof value;
}

/** The official module's runtime exports. The Workers package loads WebAssembly, so its names come from its export clause. */
async function officialValues(spec: string): Promise<Record<string, string>> {
  if (spec === "@restatedev/restate-sdk-cloudflare-workers/fetch") {
    const file = path.join(root, "node_modules/@restatedev/restate-sdk-cloudflare-workers/dist/fetch.js");
    const clause = /export\s*\{([^}]*)\}\s*;?\s*$/m.exec(readFileSync(file, "utf8"))![1]!;
    const names = clause.split(",").map((s) => s.trim().split(/\s+as\s+/).pop()!).filter(Boolean);
    const same = await import("@restatedev/restate-sdk/fetch"); // the same code, without the WebAssembly core
    return Object.fromEntries(names.map((n) => [n, kindOf((same as Record<string, unknown>)[n])]));
  }
  const mod = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(mod).map((n) => [n, kindOf(mod[n])]));
}

async function runtimeDifferences(pair: EntryPair): Promise<Found[]> {
  const official = await officialValues(pair.official);
  const ours = (await import(/* @vite-ignore */ path.join(root, pair.source.replace(/\.js$/, ".ts")))) as Record<string, unknown>;
  const found: Found[] = [];
  for (const [name, kind] of Object.entries(official)) {
    const mine = name in ours ? kindOf(ours[name]) : "missing";
    if (mine !== kind) found.push({ entry: pair.perdure, name, aspect: "runtime", detail: `official: ${kind}, perdure: ${mine}` });
  }
  return found;
}

/** One TypeScript program: the exported names of every pair, and the signature checks (one per line). */
function typeLevel(pairs: EntryPair[], checks: SignatureCheck[]): { names: Found[]; signatures: Found[] } {
  const dir = mkdtempSync(path.join(root, ".parity-"));
  try {
    const file = path.join(dir, "parity-probe.ts");
    const rel = (source: string) => path.relative(dir, path.join(root, source)).split(path.sep).join("/");
    const lines = [
      "type Pub<T> = Pick<T, keyof T>;",
      "type Restrict<P, O> = Pick<P, Extract<keyof O, keyof P>>;",
    ];
    pairs.forEach((pair, i) => {
      lines.push(`import type * as O${i} from "${pair.official}";`, `import type * as P${i} from "${rel(pair.source)}";`);
    });
    const checkLines = new Map<number, { check: SignatureCheck; direction: string }>();
    checks.forEach((check, n) => {
      const i = pairs.findIndex((p) => p.perdure === check.entry);
      if (i < 0) throw new Error(`signature check ${check.name}: no entry pair ${check.entry}`);
      if (check.decl) {
        lines.push(`declare const v${n}o: ${check.decl.replaceAll("$X", `O${i}`)};`, `declare const v${n}p: ${check.decl.replaceAll("$X", `P${i}`)};`);
      }
      const o = check.expr.replaceAll("$X", `O${i}`).replaceAll("$V", `v${n}o`);
      const p = check.expr.replaceAll("$X", `P${i}`).replaceAll("$V", `v${n}p`);
      // An assignment per direction: the compiler's error then says what differs.
      const add = (direction: string, from: string, to: string) => {
        checkLines.set(lines.length + 1, { check, direction });
        lines.push(`export function c${n}${direction === "perdure → official" ? "po" : "op"}(x: ${from}): ${to} { return x; }`);
      };
      if (check.kind === "type") {
        add("perdure → official", `Pub<${p}>`, `Pub<${o}>`);
        add("official → perdure", `Pub<${o}>`, `Restrict<Pub<${p}>, Pub<${o}>>`);
      } else if (check.kind === "members") {
        checkLines.set(lines.length + 1, { check, direction: "perdure has" });
        lines.push(`export function c${n}m(x: Pick<${p}, ${check.members!.map((m) => JSON.stringify(m)).join(" | ")}>): void { void x; }`);
      } else if (check.kind === "mutual") {
        add("perdure → official", p, o);
        add("official → perdure", o, p);
      } else if (check.kind === "options") {
        add("official → perdure", o, p);
        // Structural assignability ignores options perdure does not declare; every official option name must exist.
        checkLines.set(lines.length + 1, { check, direction: "official option names" });
        lines.push(`export function c${n}k(x: keyof ${o}): keyof ${p} { return x; }`);
      } else {
        add("perdure → official", p, o);
      }
    });
    writeFileSync(file, lines.join("\n") + "\n");
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;

    const exportsOf = (spec: string) => {
      const decl = source.statements.find((s): s is ts.ImportDeclaration => ts.isImportDeclaration(s) && (s.moduleSpecifier as ts.StringLiteral).text === spec)!;
      const symbol = checker.getSymbolAtLocation(decl.moduleSpecifier);
      if (!symbol) throw new Error(`TypeScript cannot resolve ${spec}`);
      return new Set(checker.getExportsOfModule(symbol).map((s) => s.name));
    };
    const names: Found[] = [];
    for (const pair of pairs) {
      const ours = exportsOf(rel(pair.source));
      for (const name of exportsOf(pair.official)) {
        if (!ours.has(name)) names.push({ entry: pair.perdure, name, aspect: "type", detail: "official type-level export missing" });
      }
    }

    const signatures: Found[] = [];
    const other: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program, source)) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : -1;
      const at = checkLines.get(line);
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (at) signatures.push({ entry: at.check.entry, name: at.check.name, aspect: "signature", direction: at.direction, detail: `${at.direction} (${at.check.kind}) ${at.check.expr}: ${firstLines(text)}` });
      else other.push(text);
    }
    if (other.length > 0) throw new Error(`the parity probe does not compile:\n${other.join("\n")}`);
    return { names, signatures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compiler's explanation, shortened: the innermost lines say what differs. */
function firstLines(text: string): string {
  const lines = text.split("\n").map((l) => l.trim().replace(/import\("[^"]*"(, \{[^}]*\})?\)\./g, ""));
  return lines.slice(0, 1).concat(lines.slice(-2)).join(" / ").slice(0, 600);
}

function report(found: Found[]): string {
  return found.map((f) => `  ${f.entry} ${f.aspect} ${f.name}: ${f.detail}`).join("\n");
}

describe("parity with the official SDK 1.17.2", () => {
  let runtime: Found[] = [];
  let types: { names: Found[]; signatures: Found[] } = { names: [], signatures: [] };

  beforeAll(async () => {
    installOfficialSdkPolyfills(); // the official root entry needs Promise.withResolvers on Node 20
    runtime = (await Promise.all(ENTRY_PAIRS.map(runtimeDifferences))).flat();
    types = typeLevel(ENTRY_PAIRS.filter((p) => !p.runtimeOnly), SIGNATURE_CHECKS);
    // PARITY_REPORT=1 prints every difference found, listed or not (to review compat/differences.json).
    if (process.env.PARITY_REPORT) console.log(report([...runtime, ...types.names, ...types.signatures]));
  }, 300_000); // one TypeScript program over both SDKs: ~20 s alone, longer on a busy machine

  it("every official runtime export exists in perdure's entry with the same kind, or is listed", () => {
    const unlisted = runtime.filter((f) => !listed(f));
    expect(unlisted, `not in compat/differences.json:\n${report(unlisted)}`).toEqual([]);
  });

  it("every official exported name (types included) exists in perdure's entry, or is listed", () => {
    const unlisted = types.names.filter((f) => !listed(f));
    expect(unlisted, `not in compat/differences.json:\n${report(unlisted)}`).toEqual([]);
  });

  it("the important signatures agree, or the difference is listed", () => {
    const unlisted = types.signatures.filter((f) => !listed(f));
    expect(unlisted, `not in compat/differences.json:\n${report(unlisted)}`).toEqual([]);
  });

  it("every listed difference still exists (remove the ones that were fixed)", () => {
    const all = [...runtime, ...types.names, ...types.signatures];
    const stale: string[] = [];
    for (const d of differences.differences) {
      for (const entry of d.entries) {
        for (const name of d.names) {
          const still = all.some((f) => matches(d, f, entry, name));
          if (!still) stale.push(`${entry} ${d.aspect ?? "any"} ${name}${d.direction ? ` (${d.direction})` : ""}`);
        }
      }
    }
    expect(stale, "listed in compat/differences.json but no longer different").toEqual([]);
  });

  it("each listed difference says why", () => {
    for (const d of differences.differences) {
      expect(["deliberate", "pending-core", "missing"]).toContain(d.status);
      expect(d.reason.length, JSON.stringify(d.names)).toBeGreaterThan(20);
    }
  });

  it("the README's compatibility table is the one generated from compat/differences.json", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(readme, "run: npm run compat:table").toContain(renderTable(differences));
  });
});
