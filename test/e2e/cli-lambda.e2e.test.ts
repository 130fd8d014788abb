// `perdure dev --runtime lambda` through the built CLI (dist/src/cli/main.js): the entry bundled into index.js,
// published in the Lambda emulator, restate-server started with AWS_ENDPOINT_URL_LAMBDA, the function registered by
// its version ARN. The holiday saga end to end; a change publishes version 2 and registers its ARN.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, isPortFree } from "../../src/testing/restate-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "dist/src/cli/main.js");
const distLambda = path.join(root, "dist/adapters/lambda/index.js");

interface Cli {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

const running: Cli[] = [];
const dirs: string[] = [];

function runCli(cwd: string, args: string[]): Cli {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const handle = { child, output: () => out, exit };
  running.push(handle);
  return handle;
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, dev: Cli, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (dev.child.exitCode !== null) throw new Error(`perdure dev exited while waiting for ${what}:\n${dev.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${dev.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ports() {
  const [endpoint, ingress, admin] = [await freePort(), await freePort(), await freePort()];
  return { endpoint, ingress, admin, args: ["--port", String(endpoint), "--ingress-port", String(ingress), "--admin-port", String(admin)] };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-dev-lambda-"));
  dirs.push(dir);
  return dir;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function deploymentArns(adminUrl: string): Promise<string[]> {
  const { deployments } = (await (await fetch(`${adminUrl}/deployments`)).json()) as { deployments: Array<{ arn?: string }> };
  return deployments.map((d) => d.arn ?? "(not a Lambda deployment)").sort();
}

const trip = (run_type?: string) => ({
  customer: { name: "Ada", email: "ada@example.com" },
  flight: { from: "Berlin", to: "Lisbon", date: "2026-07-14", passengers: 2 },
  car: { city: "Lisbon", pickUp: "2026-07-14", days: 5 },
  payment: { card: "4242424242424242", amount: 1290, currency: "EUR" },
  ...(run_type ? { run_type } : {}),
});

afterAll(() => {
  for (const c of running.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("perdure dev --runtime lambda", () => {
  it("runs the holiday saga as a Lambda function registered by ARN, and stops cleanly", async () => {
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\``);
    const dir = tempDir();
    const p = await ports();
    const dev = runCli(dir, ["dev", path.join(root, "examples/holiday/index.ts"), "--runtime", "lambda", "--no-watch", ...p.args]);
    await until(() => dev.output().includes("perdure dev is ready"), "the ready message", dev);
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:holiday:1";
    expect(dev.output()).toContain(`endpoint  ${arn}  (lambda, request-response)`);
    expect(dev.output()).toContain("trips (service: reserve)");
    const adminUrl = `http://127.0.0.1:${p.admin}`;
    expect(await deploymentArns(adminUrl)).toEqual([arn]);
    expect(fs.existsSync(path.join(dir, ".perdure/lambda/function/index.js"))).toBe(true);

    const ingress = `http://127.0.0.1:${p.ingress}`;
    const ok = await post(`${ingress}/trips/reserve`, trip());
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: "confirmed", flightBooking: expect.stringMatching(/^FL-/) });
    const declined = await post(`${ingress}/trips/reserve`, trip("failPayment"));
    expect(declined.status).toBe(402); // the saga's TerminalError code, after the compensations ran
    expect(JSON.stringify(declined.json)).toMatch(/declined/i);
    // The function's invocations went through the emulator (its REPORT lines), warm after the first.
    expect(dev.output()).toMatch(/\[lambda\] REPORT RequestId: \S+ Version: 1 Duration: \d+ ms \(cold start\)/);

    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
    for (const port of [p.endpoint, p.ingress, p.admin]) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });

  it("publishes a new version after a change and registers its ARN", async () => {
    const dir = tempDir();
    const source = (greeting: string) =>
      [
        `import * as restate from ${JSON.stringify(distLambda)};`,
        `const greeter = restate.service({ name: "LambdaGreeter", handlers: { greet: async (ctx, name) => \`${greeting} \${name}\` } });`,
        `export const handler = restate.endpoint().bind(greeter).handler();`,
        ``,
      ].join("\n");
    fs.mkdirSync(path.join(dir, "greeter"));
    fs.writeFileSync(path.join(dir, "greeter/index.js"), source("Hello"));
    const p = await ports();
    const dev = runCli(dir, ["dev", "greeter/index.js", "--runtime", "lambda", ...p.args]);
    await until(() => dev.output().includes("perdure dev is ready"), "the ready message", dev);
    const ingress = `http://127.0.0.1:${p.ingress}`;
    expect((await post(`${ingress}/LambdaGreeter/greet`, "Ada")).json).toBe("Hello Ada");

    fs.writeFileSync(path.join(dir, "greeter/index.js"), source("Welcome"));
    await until(() => dev.output().includes("re-registered arn:aws:lambda:us-east-1:000000000000:function:greeter:2"), "version 2", dev);
    expect((await post(`${ingress}/LambdaGreeter/greet`, "Ada")).json).toBe("Welcome Ada");
    expect(await deploymentArns(`http://127.0.0.1:${p.admin}`)).toEqual([
      "arn:aws:lambda:us-east-1:000000000000:function:greeter:1",
      "arn:aws:lambda:us-east-1:000000000000:function:greeter:2",
    ]);
    dev.child.kill("SIGINT");
    expect(await dev.exit).toBe(0);
  });

  it("refuses --mode bidi with a clear message", async () => {
    const dir = tempDir();
    const dev = runCli(dir, ["dev", path.join(root, "examples/holiday/index.ts"), "--runtime", "lambda", "--mode", "bidi"]);
    expect(await dev.exit).toBe(1);
    expect(dev.output()).toContain("AWS Lambda serves request-response only");
  });
});
