// The build step `perdure dev` shares between the Lambda and workerd targets: a small wrapper module that imports the
// user's entry and hands it to the target's runner (runners/<name>), bundled with the project's esbuild into one file.
// Bundling errors come back as one readable error naming the entry and the target.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

export interface EntryBundle {
  /** The user's entry module (absolute path). */
  entry: string;
  cwd: string;
  /** esbuild's module URL (typescript.ts's esbuildUrl). */
  esbuildUrl: string;
  /** The runner module in runners/ (without extension) and the function it exports, e.g. "lambda" / "lambdaEntry". */
  runner: string;
  runnerExport: string;
  /** How the wrapper exports what the runner returns, given the call expression, e.g. `export default ${call};`. */
  exportAs: (call: string) => string;
  /** Where the wrapper module is written, and the bundle. */
  wrapperFile: string;
  outfile: string;
  /** The target in error messages: "Lambda", "workerd". */
  target: string;
  /** The target's own esbuild options (platform, format, conditions, banner, …). */
  options: Record<string, unknown>;
}

export async function bundleEntry(b: EntryBundle): Promise<void> {
  const runner = [`${b.runner}.js`, `${b.runner}.ts`].map((f) => path.join(HERE, "runners", f)).find((f) => fs.existsSync(f));
  if (!runner) throw new Error(`perdure is incomplete: the ${b.runner} runner is missing next to ${HERE}`);
  fs.writeFileSync(
    b.wrapperFile,
    [
      `import * as entry from ${JSON.stringify(b.entry)};`,
      `import { ${b.runnerExport} } from ${JSON.stringify(runner)};`,
      b.exportAs(`${b.runnerExport}(entry, ${JSON.stringify(path.basename(b.entry))})`),
      ``,
    ].join("\n"),
  );
  const esbuild = (await import(b.esbuildUrl)) as Esbuild;
  try {
    await esbuild.build({ entryPoints: [b.wrapperFile], outfile: b.outfile, bundle: true, logLevel: "silent", ...b.options });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors;
    const text = errors?.length
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join("\n")
      : String(err);
    throw new Error(`cannot bundle ${path.relative(b.cwd, b.entry) || b.entry} for ${b.target}:\n${text}`);
  }
}
