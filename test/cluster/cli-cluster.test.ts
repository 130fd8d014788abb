// `perdure dev --nodes 3`: a local 3-node cluster (data in .perdure/cluster), the entry registered once, reachable
// through every node's ingress; Ctrl-C stops every node.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { freePort, isPortFree } from "../../src/local/restate-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/src/cli/main.js");
const distIndex = path.join(root, "dist/src/index.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-dev-cluster-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("perdure dev --nodes 3 runs a cluster, registers the entry once and serves it on every node", { timeout: 120_000 }, async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\``);
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(
    path.join(dir, "src/main.ts"),
    [
      `import * as restate from ${JSON.stringify(distIndex)};`,
      `const greeter = restate.service({ name: "DevClusterGreeter", handlers: { greet: async (_ctx: restate.Context, name: string) => \`Hello \${name}\` } });`,
      `export default restate.endpoint().bind(greeter);`,
    ].join("\n"),
  );
  const [port, ingress, admin] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [cli, "dev", "src/main.ts", "--nodes", "3", "--no-watch", "--port", String(port), "--ingress-port", String(ingress), "--admin-port", String(admin)],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 90_000;
    while (!out.includes("perdure dev is ready")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`perdure dev did not get ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const nodes = [...out.matchAll(/^\s+(n\d)\s+ingress (\S+)\s+admin (\S+)\s+node (\S+)$/gm)].map((m) => ({ name: m[1], ingress: m[2]!, admin: m[3]! }));
    expect(nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    expect(nodes[0]!.ingress).toBe(`http://127.0.0.1:${ingress}`);
    expect(out).toContain(`ingress   http://127.0.0.1:${ingress}`);
    for (const n of nodes) {
      const res = await fetch(`${n.ingress}/DevClusterGreeter/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: `"${n.name}"` });
      expect(await res.text()).toBe(`"Hello ${n.name}"`);
      const deployments = (await (await fetch(`${n.admin}/deployments`)).json()) as { deployments: unknown[] };
      expect(deployments.deployments).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(dir, ".perdure/cluster/n3"))).toBe(true);
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    for (const n of nodes) expect(await isPortFree(Number(new URL(n.ingress).port)), n.ingress).toBe(true);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
