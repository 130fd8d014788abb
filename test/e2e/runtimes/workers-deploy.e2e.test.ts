// `wrangler deploy --dry-run --outdir` of the example Worker (root wrangler.toml → examples/workers/index.ts): the
// bundle wrangler would upload, built offline, its size printed and held to a budget. Wrangler runs from its own
// dist with the test's Node (its launcher insists on Node 22; the build itself works on 20), no metrics, no login.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/spawn-endpoint.js";

/** The gzipped upload is ~59 KiB today; Cloudflare's own limit is 3 MB (free plan). This catches regressions. */
const GZIP_BUDGET_KIB = 80;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-wrangler-deploy-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("wrangler deploy --dry-run of the example Worker", () => {
  it(`bundles it offline within ${GZIP_BUDGET_KIB} KiB gzipped, with the [vars] binding`, () => {
    // The root wrangler.toml, copied with `main` made absolute, so wrangler writes .wrangler/ in the scratch dir.
    const toml = fs.readFileSync(path.join(repoRoot, "wrangler.toml"), "utf8");
    const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)![1]!;
    const config = path.join(scratch, "wrangler.toml");
    fs.writeFileSync(config, toml.replace(/^main\s*=.*$/m, `main = ${JSON.stringify(path.join(repoRoot, main))}`));
    const outdir = path.join(scratch, "out");
    const home = path.join(scratch, "home");
    const run = spawnSync(
      process.execPath,
      ["--no-warnings", path.join(repoRoot, "node_modules/wrangler/wrangler-dist/cli.js"), "deploy", "--dry-run", "--outdir", outdir, "--config", config],
      {
        cwd: scratch,
        encoding: "utf8",
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
        timeout: 50_000,
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    expect(sizes, output).not.toBeNull();
    const [total, gzip] = [Number(sizes![1]), Number(sizes![2])];
    const bundle = fs.readFileSync(path.join(outdir, "index.js"));
    const ourGzip = gzipSync(bundle).length / 1024;
    console.log(`wrangler deploy --dry-run: ${total} KiB, gzip ${gzip} KiB (index.js ${(bundle.length / 1024).toFixed(1)} KiB, gzip -6 ${ourGzip.toFixed(1)} KiB)`);
    expect(gzip).toBeLessThan(GZIP_BUDGET_KIB);
    expect(Math.abs(ourGzip - gzip)).toBeLessThan(5); // the figure wrangler prints is the bundle's
    expect(output).toMatch(/env\.GREETING \("Welcome"\)/);
    expect(output).toContain("--dry-run: exiting now.");
    // No Node-only module reached the Worker: perdure's core is web-standard.
    expect(bundle.toString("utf8")).not.toMatch(/from\s*"node:|require\("node:/);
  });
});
