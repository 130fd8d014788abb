#!/usr/bin/env node
// `npm run bundle`: the function's code as Lambda takes it. esbuild bundles index.ts and everything it imports into
// one CommonJS file, dist/index.js (Lambda's Node.js runtime loads `index.handler` from it, no package.json needed),
// and zip-writer.mjs packs it into dist/holiday-lambda.zip. esbuild comes from the repository's node_modules.
import { build } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeZip } from "./zip-writer.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "dist");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(here, "index.ts")],
  outfile: path.join(out, "index.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  // The oldest Node.js Lambda runtime perdure supports; newer ones run it too.
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});

const code = fs.readFileSync(path.join(out, "index.js"));
const zipFile = path.join(out, "holiday-lambda.zip");
// 0o100644: a regular file readable by the Lambda runtime's user.
fs.writeFileSync(zipFile, writeZip([{ name: "index.js", data: code, mode: 0o100644 }]));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/index.js            ${kb(code.length)} (gzip ${kb(gzipSync(code).length)})`);
console.log(`dist/holiday-lambda.zip  ${kb(fs.statSync(zipFile).size)}  handler: index.handler  runtime: nodejs20.x or newer`);
