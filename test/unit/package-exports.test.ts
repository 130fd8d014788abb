// The published entry points load by package name from the built output (dist/, made by `npm run build`,
// which `npm install` runs through the prepare script), in a plain Node process.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("package exports", () => {
  it("perdure, perdure/fetch and perdure/node resolve to the built modules", () => {
    expect(existsSync(`${root}/dist/src/index.js`), "dist/ is missing: run npm run build").toBe(true);
    const script = `
      const core = await import("perdure");
      const fetchApi = await import("perdure/fetch");
      const node = await import("perdure/node");
      // endpoint and createEndpointHandler differ on purpose: the root's are Node's, perdure/fetch's the core's.
      const names = ["service", "object", "workflow", "handlers", "rpc", "serde",
        "RestatePromise", "TerminalError", "TimeoutError", "CancelledError", "RetryableError"];
      const missing = names.filter((n) => core[n] === undefined || fetchApi[n] !== core[n]);
      console.log(JSON.stringify({ missing, serve: typeof node.serve }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ missing: [], serve: "function" });
  });
});
