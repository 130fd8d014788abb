// `perdure dev --runtime lambda`: the entry as it would run on AWS Lambda. It is bundled with esbuild into one
// `index.js` (ESM, for Node, with `export const handler`), published as the next version of a function in the Lambda
// emulator of perdure/testing, and registered with restate-server by its version ARN; the server reaches the
// emulator through AWS_ENDPOINT_URL_LAMBDA. Each change publishes a new version, so invocations already running keep
// the code they started with, as on AWS.
import * as fs from "node:fs";
import * as path from "node:path";
import { lambdaClientEnv, startLambdaEmulator, type LambdaEmulator, type PublishedVersion } from "../testing/lambda/emulator.js";
import { bundleEntry } from "./bundle-entry.js";
import type { Manifest } from "./manifest.js";

/** Restate handlers may run longer than Lambda's 3 s default; the deployed function should get a timeout like this. */
export const DEV_FUNCTION_TIMEOUT_SECONDS = 60;

export interface LambdaTarget {
  emulator: LambdaEmulator;
  functionName: string;
  /** For restate-server: the emulator as its Lambda endpoint, dummy credentials, the region. */
  serverEnv: Record<string, string>;
  /** The version registered last. */
  current: PublishedVersion | undefined;
  /** Bundles the entry and publishes it as the next version. */
  publish(): Promise<PublishedVersion>;
  /** The manifest of a version, asked the way restate-server asks (a /discover event). */
  manifest(version: PublishedVersion): Promise<Manifest | undefined>;
  stop(): Promise<void>;
}

/** A Lambda function name from the entry: its folder for an index file, else its base name. */
export function functionNameFor(entry: string): string {
  const base = path.basename(entry).replace(/\.[^.]+$/, "");
  const name = base === "index" || base === "main" ? path.basename(path.dirname(entry)) : base;
  return name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64) || "perdure-dev";
}

async function bundle(entry: string, dir: string, cwd: string, esbuildUrl: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await bundleEntry({
    entry,
    cwd,
    esbuildUrl,
    runner: "lambda",
    runnerExport: "lambdaEntry",
    exportAs: (call) => `export const handler = ${call};`,
    wrapperFile: path.join(path.dirname(dir), "lambda-entry.mjs"),
    outfile: path.join(dir, "index.js"),
    target: "Lambda",
    options: {
      platform: "node",
      format: "esm",
      target: "node20",
      // CommonJS dependencies inside an ESM bundle may still call require() for Node's built-in modules.
      banner: { js: `import { createRequire as __perdureRequire } from "node:module"; const require = __perdureRequire(import.meta.url);` },
    },
  });
  // index.js is an ES module: Lambda's Node.js runtime (and the emulator) read that from package.json.
  fs.writeFileSync(path.join(dir, "package.json"), `{ "type": "module" }\n`);
}

export async function startLambdaTarget(opts: { entry: string; cwd: string; port: number; esbuildUrl: string; log: (line: string) => void }): Promise<LambdaTarget> {
  const emulator = await startLambdaEmulator({ port: opts.port, log: (line) => opts.log(line) });
  const functionName = functionNameFor(opts.entry);
  const dir = path.join(opts.cwd, ".perdure", "lambda", "function");
  const target: LambdaTarget = {
    emulator,
    functionName,
    serverEnv: lambdaClientEnv(emulator),
    current: undefined,
    async publish() {
      await bundle(opts.entry, dir, opts.cwd, opts.esbuildUrl);
      const published = await emulator.deploy({ name: functionName, code: dir, timeoutSeconds: DEV_FUNCTION_TIMEOUT_SECONDS });
      target.current = published;
      return published;
    },
    async manifest(version) {
      const event = {
        path: "/discover",
        httpMethod: "GET",
        headers: { accept: "application/vnd.restate.endpointmanifest.v4+json, application/vnd.restate.endpointmanifest.v3+json" },
        body: "",
        isBase64Encoded: true,
      };
      const res = await fetch(`${emulator.url}/2015-03-31/functions/${encodeURIComponent(version.versionArn)}/invocations`, { method: "POST", body: JSON.stringify(event) });
      if (!res.ok || res.headers.get("x-amz-function-error")) return undefined;
      const result = (await res.json()) as { statusCode?: number; body?: string; isBase64Encoded?: boolean };
      if (result.statusCode !== 200 || result.body === undefined) return undefined;
      const text = result.isBase64Encoded ? Buffer.from(result.body, "base64").toString("utf8") : result.body;
      return JSON.parse(text) as Manifest;
    },
    stop: () => emulator.stop(),
  };
  return target;
}
