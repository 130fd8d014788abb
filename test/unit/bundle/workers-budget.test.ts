// The Workers bundle budget: a greeter Worker on perdure, bundled the way wrangler bundles (esbuild, minified, ESM,
// conditions workerd/worker/browser), must stay at or under its gzip budget, with no Node built-ins, no WebAssembly,
// and none of the optional packages (msgpackr) pulled into the core. The bundle (source and esbuild options) is the
// one bench/bundle-size.ts and bench/bundle-breakdown.ts measure: bench/lib/workers-bundle.ts.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundleGreeter } from "../../../bench/lib/workers-bundle.js";

// Issue 17 targets 30,000 B. Measured 29,988 B (edge2 branch): the identity verifier shrank to one JWT reader and
// an Euler-criterion point check, frame decoder fields became #private, manifest field versions are derived. The
// margin is small: a change that grows the greeter has to pay for its bytes (bench/README.md §2 lists where they are).
const BUDGET_GZIP_BYTES = 30_000;

describe("Workers bundle budget", () => {
  it(`a greeter Worker is at most ${BUDGET_GZIP_BYTES} bytes gzip, with nothing Node-only or optional in it`, async () => {
    const { code, text, metafile } = await bundleGreeter();
    const gzip = gzipSync(code, { level: 9 }).length;
    expect(gzip, `greeter Worker: ${code.length} bytes raw, ${gzip} gzip`).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    expect(text).not.toMatch(/["']node:/);
    expect(text).not.toMatch(/WebAssembly\./);
    expect(Object.keys(metafile.inputs).filter((f) => f.includes("node_modules"))).toEqual([]);
  }, 30_000);
});
