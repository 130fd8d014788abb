// TypeScript entries on Node: the node runner registers a module loader (runners/ts-loader.ts) that compiles each
// .ts file with esbuild as Node loads it, so every import resolves from its own file as usual. esbuild is looked up
// from the project first, then from perdure's install.
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

export class TypeScriptSupportError extends Error {
  override name = "TypeScriptSupportError";
}

export function isTypeScript(file: string): boolean {
  return /\.(m|c)?tsx?$/.test(file);
}

/** The file URL of esbuild's entry module, for the loader thread. */
export function esbuildUrl(cwd: string): string {
  for (const base of [path.join(cwd, "package.json"), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(base).resolve("esbuild")).href;
    } catch {
      /* not there */
    }
  }
  throw new TypeScriptSupportError(
    "esbuild is needed to compile the entry (TypeScript on Node, or any entry for workerd): `npm install --save-dev esbuild` " +
      "(or use --runtime bun / --runtime deno, which run TypeScript directly)",
  );
}
