// Node module loader hooks (module.register) used by `perdure dev --runtime node` for TypeScript entries:
//  - resolve: `./x.js` that does not exist but `./x.ts` does → `./x.ts` (TypeScript's NodeNext import style);
//  - load: .ts/.mts/.tsx files are compiled with esbuild (types stripped, nothing bundled).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

interface Esbuild {
  transform(source: string, options: Record<string, unknown>): Promise<{ code: string }>;
}

let esbuild: Promise<Esbuild> | undefined;
let esbuildUrl = "";

export function initialize(data: { esbuildUrl: string }): void {
  esbuildUrl = data.esbuildUrl;
}

type Next<A extends unknown[], R> = (...args: A) => Promise<R>;
interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface Loaded {
  format: string;
  source?: string | ArrayBuffer | Uint8Array;
  shortCircuit?: boolean;
}

const TS_FILE = /\.(m|c)?tsx?$/;
const JS_SPECIFIER = /\.(m|c)?js$/;
const LOCAL = /^(\.{1,2}\/|\/|file:)/;

export async function resolve(specifier: string, context: unknown, next: Next<[string, unknown], Resolved>): Promise<Resolved> {
  try {
    return await next(specifier, context);
  } catch (err) {
    if ((err as { code?: string }).code !== "ERR_MODULE_NOT_FOUND" || !LOCAL.test(specifier) || !JS_SPECIFIER.test(specifier)) throw err;
    const base = specifier.replace(JS_SPECIFIER, "");
    const suffix = specifier.endsWith(".mjs") ? [".mts"] : specifier.endsWith(".cjs") ? [".cts"] : [".ts", ".tsx"];
    for (const ext of suffix) {
      try {
        return await next(base + ext, context);
      } catch {
        /* try the next extension */
      }
    }
    throw err;
  }
}

export async function load(url: string, context: { format?: string | null }, next: Next<[string, unknown], Loaded>): Promise<Loaded> {
  if (!url.startsWith("file:") || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
  esbuild ??= import(esbuildUrl) as Promise<Esbuild>;
  const file = fileURLToPath(url);
  const source = await readFile(file, "utf8");
  const { code } = await (await esbuild).transform(source, {
    loader: file.endsWith("x") ? "tsx" : "ts",
    format: file.endsWith(".cts") ? "cjs" : "esm",
    target: "node20",
    sourcefile: file,
    sourcemap: "inline",
  });
  return { format: file.endsWith(".cts") ? "commonjs" : "module", source: code, shortCircuit: true };
}
