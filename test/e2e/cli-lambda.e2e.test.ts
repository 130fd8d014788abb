// `perdure dev --runtime lambda` through the built CLI (dist/src/cli/main.js): the entry bundled into index.js,
// published in the Lambda emulator, restate-server started with AWS_ENDPOINT_URL_LAMBDA, the function registered by
// its version ARN. The holiday saga end to end; a change publishes version 2 and registers its ARN.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPortFree } from "../../src/local/restate-server.js";
import { devPorts as ports, killLeftovers, repoRoot as root, runCli, until } from "./support/cli-process.js";

const distLambda = path.join(root, "dist/adapters/lambda/index.js");
const dirs: string[] = [];

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
  killLeftovers();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("perdure dev --runtime lambda", () => {
  it("runs the holiday saga as a Lambda function registered by ARN, and stops cleanly", async () => {
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
