// Where the greeter Worker's bytes come from: per input module, its raw bytes in the minified output (esbuild
// metafile `bytesInOutput`), the gzip -9 of its output alone, and its marginal gzip cost — how much the whole
// bundle's gzip shrinks when that module's output bytes (attributed through the source map) are cut out. The
// marginal figure is what deleting the module would save; "alone" overstates it because gzip shares repeated
// strings across modules. Same bundle as the CI budget test (bench/lib/workers-bundle.ts).
//   npx vite-node bench/bundle-breakdown.ts [rows]
import { gzipSync } from "node:zlib";
import { bundleGreeter } from "./lib/workers-bundle.js";
import { decodeMappings } from "./lib/sourcemap.js";
import { table } from "./lib/table.js";

const gz = (s: string) => gzipSync(s, { level: 9 }).length;

export interface ModuleRow { file: string; raw: number; gzipAlone: number; gzipMarginal: number }

export async function runBundleBreakdown(rows = 15): Promise<{ text: string; modules: ModuleRow[]; gzip: number }> {
  const bundle = await bundleGreeter(undefined, true);
  const map = JSON.parse(bundle.map!) as { sources: string[]; mappings: string };
  const lines = bundle.text.split("\n");
  // Per source, the output text it owns (segment start up to the next segment), and per line, the owner of each char.
  const owner: Int32Array[] = lines.map((l) => new Int32Array(l.length).fill(-1));
  const segs = decodeMappings(map.mappings);
  for (let i = 0; i < segs.length; i++) {
    const { line, col, source } = segs[i]!;
    const next = segs[i + 1];
    const end = next !== undefined && next.line === line ? next.col : lines[line]!.length;
    owner[line]!.fill(source, col, end);
  }
  const total = gz(bundle.text);
  const name = (s: string) => s.replace(/^(\.\.\/)+/, "").replace(/^.*node_modules\//, "node_modules/");
  const bySource = new Map<number, string>(map.sources.map((s, i) => [i, name(s)]));
  const modules: ModuleRow[] = [];
  for (const [file, info] of Object.entries(bundle.metafile.outputs[Object.keys(bundle.metafile.outputs).find((k) => k.endsWith(".js"))!]!.inputs)) {
    const index = [...bySource].find(([, s]) => s === file || s.endsWith("/" + file) || file.endsWith(s))?.[0];
    let own = "";
    let rest = "";
    lines.forEach((l, li) => {
      const o = owner[li]!;
      for (let c = 0; c < l.length; c++) (o[c] === index ? (own += l[c]) : (rest += l[c]));
      rest += "\n";
    });
    modules.push({ file, raw: info.bytesInOutput, gzipAlone: own ? gz(own) : 0, gzipMarginal: index === undefined ? 0 : total - gz(rest) });
  }
  modules.sort((a, b) => b.gzipMarginal - a.gzipMarginal || b.raw - a.raw);
  const byArea = new Map<string, ModuleRow>();
  for (const m of modules) {
    const area = m.file.replace(/^src\/([^/]+)\/.*/, "src/$1");
    const a = byArea.get(area) ?? { file: area, raw: 0, gzipAlone: 0, gzipMarginal: 0 };
    a.raw += m.raw;
    a.gzipMarginal += m.gzipMarginal;
    byArea.set(area, a);
  }
  const fmt = (n: number) => n.toLocaleString("en");
  const text = [
    `greeter Worker: ${fmt(bundle.code.length)} B raw, ${fmt(total)} B gzip -9 (${modules.length} modules)`,
    "",
    table(["module", "raw B in output", "gzip alone B", "marginal gzip B (saved if removed)"],
      modules.slice(0, rows).map((m) => [m.file, fmt(m.raw), fmt(m.gzipAlone), fmt(m.gzipMarginal)])),
    "",
    table(["area", "raw B in output", "sum of marginal gzip B"],
      [...byArea.values()].sort((a, b) => b.raw - a.raw).map((a) => [a.file, fmt(a.raw), fmt(a.gzipMarginal)])),
  ].join("\n");
  return { text, modules, gzip: total };
}

if (!process.env.BENCH_RUN_ALL) console.log((await runBundleBreakdown(Number(process.argv[2] ?? 15))).text);
