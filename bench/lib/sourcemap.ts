// A minimal source-map reader (VLQ "mappings", version 3) for the benchmarks: attributing bundle bytes to modules
// (bench/bundle-breakdown.ts) and profile frames to source lines (bench/lib/cpuprofile.ts).

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** One mapping: generated line/column (0-based) → source index and original line/column (0-based), or -1. */
export interface Segment { line: number; col: number; source: number; srcLine: number; srcCol: number }

export interface SourceMap { sources: string[]; mappings: string }

export function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let source = 0;
  let srcLine = 0;
  let srcCol = 0;
  let line = 0;
  for (const lineText of mappings.split(";")) {
    let col = 0;
    for (const seg of lineText.split(",")) {
      if (seg === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) * 2 ** shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value % 2 ? -Math.floor(value / 2) : value / 2);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0]!;
      if (fields.length >= 4) {
        source += fields[1]!;
        srcLine += fields[2]!;
        srcCol += fields[3]!;
        out.push({ line, col, source, srcLine, srcCol });
      } else out.push({ line, col, source: -1, srcLine: -1, srcCol: -1 });
    }
    line++;
  }
  return out;
}

/** Looks up original positions: `resolve(line, col)` → "file:line" (1-based line), or undefined. */
export function positionResolver(map: SourceMap, rename = (s: string) => s): (line: number, col: number) => string | undefined {
  const byLine: Segment[][] = [];
  for (const s of decodeMappings(map.mappings)) (byLine[s.line] ??= []).push(s);
  return (line, col) => {
    const segs = byLine[line];
    if (!segs) return undefined;
    let best: Segment | undefined;
    for (const s of segs) if (s.col <= col) best = s;
    best ??= segs[0];
    return best && best.source >= 0 ? `${rename(map.sources[best.source]!)}:${best.srcLine + 1}` : undefined;
  };
}
