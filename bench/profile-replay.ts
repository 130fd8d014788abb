// Profiles the in-process replay of one captured vector on one SDK with `--cpu-prof` (node, or deno's hidden flag of
// the same name) and prints the functions with the most self time (by file and by function).
//   npx vite-node bench/profile-replay.ts [sdk=perdure] [vector=steps20] [seconds=4] [runtime=node|deno]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { commandFor, root } from "./lib/servers.js";
import { summariseProfile } from "./lib/cpuprofile.js";
import { positionResolver, type SourceMap } from "./lib/sourcemap.js";

const [sdk = "perdure", vector = "steps20", seconds = "4", runtime = "node"] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), "perdure-bench-prof-"));
try {
  const v = readFileSync(path.join(root, `bench/vectors/${sdk}-${vector}.json`), "utf8");
  const entry = path.join(dir, "loop.ts");
  writeFileSync(entry, `
import { fetch } from "bench-handler";
const v = ${v};
const body = Uint8Array.from(atob(v.body), (c) => c.charCodeAt(0));
const until = performance.now() + ${Number(seconds) * 1000};
let n = 0;
while (performance.now() < until) {
  const res = await fetch(new Request("http://127.0.0.1" + v.path, { method: "POST", headers: v.headers, body }));
  await res.arrayBuffer();
  n++;
}
console.log(n + " invocations, " + ((${Number(seconds) * 1e6}) / n).toFixed(1) + " µs each");
`);
  const out = path.join(dir, "loop.mjs");
  await build({
    entryPoints: [entry], bundle: true, format: "esm", platform: "node", target: "es2022", outfile: out, logLevel: "warning",
    alias: { "bench-handler": path.join(root, `bench/fixtures/servers/handler-${sdk}.ts`) }, define: { BENCH_BIDI: "false" },
    nodePaths: [path.join(root, "node_modules")], sourcemap: "external",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const { command, args } = runtime === "deno" ? commandFor("deno", out) : { command: process.execPath, args: [out] };
  const profArgs = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
  const argv = runtime === "deno" ? [args[0]!, ...profArgs, ...args.slice(1)] : [...profArgs, ...args];
  console.log(execFileSync(command, argv, { cwd: dir, encoding: "utf8" }).trim());
  const profile = path.join(dir, readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!);
  const map = JSON.parse(readFileSync(out + ".map", "utf8")) as SourceMap;
  const resolve = positionResolver(map, (s) => s.replace(/^(\.\.\/)+(work\/[^/]+\/)?/, "").replace(/^.*node_modules\//, ""));
  console.log(summariseProfile(profile, "loop.mjs", Number(process.env.PROFILE_TOP ?? 30), resolve));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
