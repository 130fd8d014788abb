// Where each runtime's binary is and how `perdure dev` starts an entry on it. Binaries are looked up in the project's
// node_modules/.bin (and its parents), then perdure's own, then PATH, so `npm install -D bun deno` is enough.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Mode, Runtime } from "./args.js";
import { esbuildUrl, isTypeScript } from "./typescript.js";
import { prepareWorker } from "./workerd.js";

export class RuntimeMissingError extends Error {
  override name = "RuntimeMissingError";
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A runner script shipped next to this module (compiled .js in dist/, .ts when running from the sources). */
function runnerScript(name: string): string {
  for (const ext of [".js", ".ts"]) {
    const file = path.join(HERE, "runners", name + ext);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`perdure is incomplete: the ${name} runner is missing next to ${HERE}`);
}

function* ancestors(dir: string): Generator<string> {
  let current = path.resolve(dir);
  for (;;) {
    yield current;
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** The path of an executable: node_modules/.bin of `cwd` and its parents, of perdure's install, then PATH. */
export function findBinary(name: string, cwd: string): string | undefined {
  const candidates: string[] = [];
  for (const dir of ancestors(cwd)) candidates.push(path.join(dir, "node_modules", ".bin", name));
  for (const dir of ancestors(HERE)) candidates.push(path.join(dir, "node_modules", ".bin", name));
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(path.join(dir, name));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export interface LaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The deployment speaks HTTP/1.1 only (register with use_http_11 whatever the mode). */
  http1Only: boolean;
  /** Work before each start (e.g. bundling); may throw with a message for the user. */
  prepare?: () => Promise<void>;
  /** The process prints no port line: it listens on this port. */
  knownPort?: number;
}

export class UnsupportedModeError extends Error {
  override name = "UnsupportedModeError";
}

/** How to start `entryFile` on `runtime`, listening on `port` in `mode`. */
export function launchPlan(runtime: Runtime, entryFile: string, mode: Mode | undefined, port: number, cwd: string): LaunchPlan {
  const entryUrl = pathToFileURL(entryFile).href;
  const runnerArgs = [entryUrl, mode ?? "auto", String(port)];
  switch (runtime) {
    case "node": {
      // Node cannot import TypeScript by itself (before 23.6, and never with `.js` import suffixes).
      const env: Record<string, string> = isTypeScript(entryFile) ? { PERDURE_ESBUILD_URL: esbuildUrl(cwd) } : {};
      return { command: process.execPath, args: ["--enable-source-maps", runnerScript("node"), ...runnerArgs], env, http1Only: false };
    }
    case "bun": {
      const bun = findBinary("bun", cwd);
      if (!bun) throw new RuntimeMissingError("bun is not installed: `npm install --save-dev bun` (or see https://bun.sh)");
      return { command: bun, args: ["--no-install", "run", runnerScript("bun"), ...runnerArgs], env: { DO_NOT_TRACK: "1" }, http1Only: true };
    }
    case "deno": {
      const deno = findBinary("deno", cwd);
      if (!deno) throw new RuntimeMissingError("deno is not installed: `npm install --save-dev deno` (or see https://deno.com)");
      // A development server: the handlers may call other APIs (network), read files and the environment.
      const args = ["run", "--no-prompt", "--unstable-sloppy-imports", "--allow-net", "--allow-read", "--allow-env", runnerScript("deno"), ...runnerArgs];
      return { command: deno, args, env: { DENO_NO_UPDATE_CHECK: "1" }, http1Only: false };
    }
    case "lambda":
      // Not a process of its own: the function runs in the Lambda emulator (see lambda-target.ts).
      throw new Error("internal: --runtime lambda has no launch plan");
    case "workerd": {
      if (mode === "bidi") throw new UnsupportedModeError("workerd serves request-response only (HTTP/1.1): drop --mode bidi");
      const workerd = findBinary("workerd", cwd);
      if (!workerd) throw new RuntimeMissingError("workerd is not installed: `npm install --save-dev workerd` (or wrangler, which brings it)");
      const dir = path.join(cwd, ".perdure", "workerd");
      const esbuild = esbuildUrl(cwd);
      return {
        command: workerd,
        // --verbose: the Worker's console output goes to stdout (otherwise only to an inspector).
        args: ["serve", path.join(dir, "workerd.capnp"), "--verbose"],
        env: {},
        http1Only: true,
        knownPort: port,
        prepare: async () => void (await prepareWorker(entryFile, dir, port, cwd, esbuild)),
      };
    }
  }
}
