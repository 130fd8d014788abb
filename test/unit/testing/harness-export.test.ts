// perdure/testing/harness loads by package name from the built output (dist/, as package-exports.test.ts), on its
// own, and perdure/testing re-exports the same functions next to the Node-only server tooling.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("perdure/testing/harness", () => {
  it("resolves to the built harness, and perdure/testing re-exports it", () => {
    expect(existsSync(`${root}/dist/src/testing/harness/index.js`), "dist/ is missing or stale: run npm run build").toBe(true);
    const script = `
      const harness = await import("perdure/testing/harness");
      const testing = await import("perdure/testing");
      const names = ["runHandler", "verifyJournals", "recordedJournal", "inputFrame", "runFrame", "runCompletionFrame", "startFrame", "frame"];
      const missing = names.filter((n) => typeof harness[n] !== "function" || testing[n] !== harness[n]);
      console.log(JSON.stringify({ missing, server: typeof testing.startRestateServer, harnessHasServer: "startRestateServer" in harness }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ missing: [], server: "function", harnessHasServer: false });
  });
});
