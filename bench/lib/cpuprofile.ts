// Summarises a V8 .cpuprofile (node --cpu-prof): self time by category and the functions with the most self time.
import { readFileSync } from "node:fs";
import path from "node:path";

interface Profile { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>; samples: number[] }

/**
 * `sdkFile` is the bundle the SDK code lives in (its samples count as "SDK"); `resolve`, when given, maps a frame
 * of that bundle (0-based line and column) to its source file and line (bench/lib/sourcemap.ts).
 */
export function summariseProfile(file: string, sdkFile: string, top = 25, resolve?: (line: number, col: number) => string | undefined): string {
  const prof = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
  const total = prof.samples.length;
  const self = new Map<string, number>();
  const category = new Map<string, number>();
  for (const id of prof.samples) {
    const f = byNode.get(id)!.callFrame;
    const where = resolve && f.url.endsWith(sdkFile) ? resolve(f.lineNumber, f.columnNumber) : undefined;
    const key = `${f.functionName || "(anonymous)"} ${where ?? (f.url ? path.basename(f.url) + ":" + (f.lineNumber + 1) : "")}`.trim();
    self.set(key, (self.get(key) ?? 0) + 1);
    const c = f.url.endsWith(sdkFile) ? "SDK + harness (bundled JS)"
      : f.functionName === "(garbage collector)" ? "garbage collector"
      : f.functionName === "(idle)" ? "idle"
      : /undici|webstreams|abort_controller|js_transferable|internal\/(streams|webstreams|event_target|blob)/.test(f.url) || f.functionName === "JSTransferable" ? "Node web platform (Request/Response/streams/AbortSignal)"
      : /internal\/(http|_http|net|stream_base|http2)|node:(http|net)|_http_/.test(f.url) ? "Node HTTP / net"
      : f.url === "" ? "native / program"
      : f.url.startsWith("wasm") || /wasm-function/.test(f.functionName) ? "WebAssembly"
      : "other Node internals";
    category.set(c, (category.get(c) ?? 0) + 1);
  }
  const pct = (c: number) => `${((c / total) * 100).toFixed(1).padStart(5)}%`;
  return [
    `self time by category (${total} samples):`,
    ...[...category].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${pct(c)}  ${k}`),
    `top functions by self time:`,
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, c]) => `${pct(c)}  ${k}`),
  ].join("\n");
}
