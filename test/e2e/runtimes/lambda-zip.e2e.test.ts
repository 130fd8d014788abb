// The Lambda example's deployment package, as it would be uploaded: `npm run bundle` in examples/lambda writes
// dist/holiday-lambda.zip; the zip is unpacked by the Lambda emulator, registered with restate-server by its version
// ARN, and the holiday saga runs through it (a confirmed trip, and a declined payment with its compensations).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientEnv, readZip, registerLambdaDeployment, startLambdaEmulator, type LambdaEmulator } from "../../../src/testing/index.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { repoRoot } from "./support/spawn-endpoint.js";

const exampleDir = path.join(repoRoot, "examples/lambda");
const zipFile = path.join(exampleDir, "dist/holiday-lambda.zip");
/** The zipped bundle is ~42 KB today; this budget catches a dependency pulled in by mistake. */
const ZIP_BUDGET_BYTES = 80 * 1024;

const trip = (run_type?: string) => ({
  customer: { name: "Ada", email: "ada@example.com" },
  flight: { from: "Berlin", to: "Lisbon", date: "2026-07-14", passengers: 2 },
  car: { city: "Lisbon", pickUp: "2026-07-14", days: 5 },
  payment: { card: "4242424242424242", amount: 1290, currency: "EUR" },
  ...(run_type ? { run_type } : {}),
});

describe("examples/lambda: npm run bundle → zip → Lambda (emulated) → restate-server by ARN", () => {
  let emulator: LambdaEmulator | undefined;
  let server: RestateServer | undefined;
  let bundleOutput = "";

  beforeAll(async () => {
    const npm = spawnSync("npm", ["run", "bundle"], { cwd: exampleDir, encoding: "utf8" });
    bundleOutput = npm.stdout + npm.stderr;
    if (npm.status !== 0) throw new Error(`npm run bundle failed:\n${bundleOutput}`);
    console.log(bundleOutput.trim().split("\n").slice(-2).join("\n"));
    emulator = await startLambdaEmulator({ region: "eu-central-1", accountId: "123456789012" });
    server = await startRestateServer({ env: lambdaClientEnv(emulator) });
  });
  afterAll(async () => {
    await server?.stop();
    await emulator?.stop();
  });

  it("the zip holds index.js, whose `handler` is the endpoint, within the size budget", () => {
    const entries = readZip(fs.readFileSync(zipFile));
    expect(entries.map((e) => e.name)).toEqual(["index.js"]);
    expect(new TextDecoder().decode(entries[0]!.data)).toMatch(/exports,\s*\{\s*handler:|module\.exports/);
    const size = fs.statSync(zipFile).size;
    expect(size).toBeLessThan(ZIP_BUDGET_BYTES);
    expect(bundleOutput).toContain("dist/holiday-lambda.zip");
  });

  it("registered by ARN, the saga books a trip and compensates a declined payment", async () => {
    const published = await emulator!.deploy({ name: "holiday", code: zipFile, handler: "index.handler", timeoutSeconds: 30 });
    const registered = await registerLambdaDeployment(server!.adminUrl, published.versionArn);
    expect(registered.services.map((s) => s.name).sort()).toEqual(["cars", "flights", "payments", "trips"]);

    const call = async (target: string, body?: unknown) => {
      const res = await fetch(`${server!.ingressUrl}/${target}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? null) });
      return { status: res.status, json: (await res.json()) as Record<string, any> };
    };
    const ok = await call("trips/reserve", trip());
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: "confirmed", paymentId: expect.stringMatching(/^PAY-/) });
    expect((await call(`flights/${ok.json.tripId}/get`)).json).toMatchObject({ status: "confirmed" });

    const declined = await call("trips/reserve", trip("failPayment"));
    expect(declined.status).toBe(402);
    expect(declined.json.message).toMatch(/Compensations: cancel payment, cancel car rental, cancel flight/);
    const tripId = /trip (\S+) failed/.exec(declined.json.message)![1];
    expect((await call(`cars/${tripId}/get`)).json).toMatchObject({ status: "cancelled" });
    expect(emulator!.stats("holiday").invocations).toBeGreaterThan(5);
  });
});
