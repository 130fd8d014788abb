// 3b. Start-up cost in CPU time, not wall clock: each runtime imports one SDK's bundled handler module (the bench
// services, bench/fixtures/servers/handler-*.ts, bundled by esbuild into one ESM file) and answers one discovery
// request in process; the process measures its own CPU time (user + system, `process.cpuUsage()`) around the
// `import()` and around the first `fetch(GET /discover)`. CPU time is what the runtime spends on the SDK, whatever
// the machine's load; spawn-to-answer wall clock (bench/cold-start.ts) also contains the wait for a core. The
// floor ("bare") is a module with no SDK. Median of RUNS fresh processes per cell, alternating.
// Two ways of loading each SDK: "bundled" (the handler and the SDK in one minified file, as a Worker or a bundled
// server ships) and "installed" (the same handler bundled alone, importing the SDK's built `…/fetch` entry as a
// package install has it: perdure's dist/ from `npm run build`, one file per source module, the official SDK from
// node_modules) — what a Node, Bun or Deno server that runs without a bundling step loads.
//   npx vite-node bench/import-cost.ts [runs=9] [node,bun,deno]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import { commandFor, DISCOVERY_ACCEPT, root, type Runtime } from "./lib/servers.js";
import { machineLoad, median, table } from "./lib/table.js";

const ARGS = process.env.BENCH_RUN_ALL ? [] : process.argv.slice(2);
const RUNS = Number(ARGS[0] ?? 9);
const RUNTIMES = (ARGS[1] ?? "node,bun,deno").split(",") as Runtime[];
const SDKS = ["bare", "perdure", "official", "perdure-installed", "official-installed"] as const;
type Sdk = (typeof SDKS)[number];
const ROWS = [
  ["perdure", "perdure", "bundled"],
  ["perdure-installed", "perdure", "installed"],
  ["official", "official", "bundled"],
  ["official-installed", "official", "installed"],
] as const;

const PROBE = `
import process from "node:process";
const url = new URL(process.env.IMPORT_COST_MODULE, import.meta.url).href;
const cpu = (since) => { const c = process.cpuUsage(since); return c.user + c.system; };
const t0 = process.cpuUsage();
const mod = await import(url);
const importUs = cpu(t0);
const request = new Request("http://127.0.0.1/discover", { headers: { accept: ${JSON.stringify(DISCOVERY_ACCEPT)} } });
const t1 = process.cpuUsage();
const response = await mod.fetch(request);
await response.text();
const discoverUs = cpu(t1);
console.log(JSON.stringify({ importUs, discoverUs, status: response.status }));
`;

interface Sample { importUs: number; discoverUs: number; status: number }

/** The `…/fetch` entry each SDK's package resolves to, as an absolute path the bundled handler imports at run time. */
const INSTALLED_ENTRY = {
  "perdure-installed": path.join(root, "dist/src/fetch.js"),
  "official-installed": path.join(root, "node_modules/@restatedev/restate-sdk/dist/fetch.js"),
};

/** The handler for an installed SDK: the bench services bundled, the SDK's package entry left as an import. */
function installedSource(sdk: keyof typeof INSTALLED_ENTRY): string {
  const services = JSON.stringify(path.join(root, "bench/fixtures/sdk-services.ts"));
  const entry = JSON.stringify(INSTALLED_ENTRY[sdk]);
  const polyfill = JSON.stringify(path.join(root, "test/e2e/support/official-sdk-polyfills.ts"));
  return sdk === "perdure-installed"
    ? `import { endpoint, object, RestatePromise, serde, service } from ${entry};
       import { benchServices } from ${services};
       let b = endpoint().setLogger(() => {});
       for (const s of benchServices({ service, object, serde, RestatePromise })) b = b.bind(s);
       export const fetch = b.handler().fetch;`
    : `import { installOfficialSdkPolyfills } from ${polyfill};
       import { benchServices } from ${services};
       installOfficialSdkPolyfills();
       const restate = await import(${entry});
       let b = restate.endpoint().setLogger(() => {});
       for (const s of benchServices(restate)) b = b.bind(s);
       export const fetch = b.handler().fetch;`;
}

const keepInstalledEntries: Plugin = {
  name: "keep-installed-entries",
  setup(b) {
    const entries = new Set(Object.values(INSTALLED_ENTRY));
    b.onResolve({ filter: /\/fetch\.js$/ }, (args) => (entries.has(args.path) ? { path: args.path, external: true } : undefined));
  },
};

async function bundle(sdk: Sdk, dir: string): Promise<string> {
  const outfile = path.join(dir, `${sdk}.mjs`);
  const installed = sdk === "perdure-installed" || sdk === "official-installed";
  await build({
    ...(installed ? { stdin: { contents: installedSource(sdk), resolveDir: root, loader: "ts" as const }, plugins: [keepInstalledEntries] } : { entryPoints: [path.join(root, `bench/fixtures/servers/handler-${sdk}.ts`)] }),
    define: { BENCH_BIDI: "false" },
    bundle: true, format: "esm", platform: "node", target: "es2022", minify: true, outfile, logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

function sample(runtime: Runtime, probe: string, module: string): Sample {
  const { command, args } = commandFor(runtime, probe);
  const out = execFileSync(command, args, { cwd: path.dirname(probe), env: { ...process.env, IMPORT_COST_MODULE: `./${path.basename(module)}` }, encoding: "utf8", timeout: 60_000 });
  const s = JSON.parse(out.trim().split("\n").pop()!) as Sample;
  if (s.status !== 200) throw new Error(`${runtime} ${module}: discovery answered ${s.status}`);
  return s;
}

export async function runImportCost(): Promise<{ text: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "perdure-import-cost-"));
  try {
    // The installed perdure is the built package (dist/, `npm run build`), rebuilt here so it matches the sources.
    execFileSync(process.platform === "win32" ? "npx.cmd" : "npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    const probe = path.join(dir, "probe.mjs");
    writeFileSync(probe, PROBE);
    const modules = Object.fromEntries(await Promise.all(SDKS.map(async (s) => [s, await bundle(s, dir)] as const))) as Record<Sdk, string>;
    const rows: string[][] = [];
    for (const runtime of RUNTIMES) {
      const got = Object.fromEntries(SDKS.map((s) => [s, [] as Sample[]])) as Record<Sdk, Sample[]>;
      // Deno runs the probe without a config, so bare specifiers inside the installed official package do not resolve.
      const sdks = SDKS.filter((s) => !(runtime === "deno" && s === "official-installed"));
      for (const sdk of sdks) sample(runtime, probe, modules[sdk]); // warm the runtime's own caches (deno, bun compile caches)
      for (let i = 0; i < RUNS; i++) for (const sdk of sdks) got[sdk].push(sample(runtime, probe, modules[sdk]));
      const med = (sdk: Sdk, k: keyof Sample) => median(got[sdk].map((s) => s[k]));
      const ms = (us: number) => (us / 1000).toFixed(2);
      for (const [sdk, name, loaded] of ROWS) {
        if (!sdks.includes(sdk)) continue;
        const above = med(sdk, "importUs") - med("bare", "importUs") + med(sdk, "discoverUs") - med("bare", "discoverUs");
        rows.push([runtime, name, loaded, ms(med(sdk, "importUs")), ms(med("bare", "importUs")), ms(med(sdk, "discoverUs")), ms(med("bare", "discoverUs")), ms(above), above <= 10_000 ? "met" : "NOT met"]);
      }
    }
    const text = [
      table(["runtime", "SDK", "loaded", "import CPU ms", "bare import CPU ms", "1st discovery CPU ms", "bare 1st request CPU ms", "above the floor ms (import + 1st answer)", "target ≤ 10 ms"], rows),
      "",
      `(process CPU time, median of ${RUNS} fresh processes per cell, alternating; ${await machineLoad()})`,
    ].join("\n");
    return { text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!process.env.BENCH_RUN_ALL) console.log((await runImportCost()).text);
