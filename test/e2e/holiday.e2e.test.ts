// `npm run example` (scripts/example.mjs): perdure dev + the holiday saga, a confirmed trip and a failed one with its
// compensations, then a clean stop with exit code 0 and no process left behind.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/local/restate-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-example-"));

afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

// The script runs the built CLI and imports perdure/clients from dist/ (npm install builds it).
beforeAll(() => {
  const built = path.join(root, "dist/src/cli/main.js");
  if (!fs.existsSync(built)) throw new Error("dist/ is missing: run `npm run build` (npm install does it)");
  const newest = (dir: string): number =>
    Math.max(...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)));
  const sources = Math.max(newest(path.join(root, "src/cli")), newest(path.join(root, "src/clients")));
  if (sources > fs.statSync(built).mtimeMs + 1_000) throw new Error("dist/ is older than src/cli or src/clients: run `npm run build` before this test");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let freePorts: number[] = [];
beforeAll(async () => {
  freePorts = [await freePort(), await freePort(), await freePort()];
});

describe("npm run example", () => {
  it("books a trip, fails a trip with compensations, stops cleanly and exits 0", async () => {
    // Free ports rather than the defaults (8080, 9070, 9080): other test runs may be using the machine.
    const ports = ["--port", "--ingress-port", "--admin-port"].flatMap((flag, i) => [flag, String(freePorts[i])]);
    const args = [path.join(root, "scripts/example.mjs"), "--workdir", workdir, "--", ...ports];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    // Remember the PIDs perdure dev reports while it runs, to check afterwards that they are gone.
    const pids = new Set<number>();
    const sessionFile = path.join(workdir, ".perdure/dev.json");
    const poll = setInterval(() => {
      try {
        const s = JSON.parse(fs.readFileSync(sessionFile, "utf8")) as { pid: number; server: { pid: number }; endpoint: { pid: number } };
        for (const pid of [s.pid, s.server.pid, s.endpoint.pid]) pids.add(pid);
      } catch {
        /* not there (yet, or any more) */
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearInterval(poll);

    expect(code, output).toBe(0);
    expect(output).toMatch(/✔ confirmed: trip [0-9a-f-]{36}/);
    expect(output).toMatch(/stored: flights FL-\w+ confirmed · cars CAR-\w+ confirmed · payments PAY-\w+ captured/);
    expect(output).toContain("📧 to ada@example.com");
    expect(output).toMatch(/✘ failed with HTTP 402: trip [0-9a-f-]{36} failed: card ending 4242 was declined/);
    expect(output).toContain("compensations that ran: cancel payment, cancel car rental, cancel flight");
    expect(output).toMatch(/stored: flights FL-\w+ cancelled · cars CAR-\w+ cancelled · payments \(none\)/);
    expect(output).toContain("✔ done: restate-server and the endpoint are stopped.");
    expect(pids.size).toBe(3);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(fs.existsSync(sessionFile)).toBe(false);
  });
});
