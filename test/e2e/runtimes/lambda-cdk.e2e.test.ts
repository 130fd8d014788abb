// The CDK example (examples/cdk, its own package.json and lockfile: aws-cdk-lib is large, so the root install stays
// lean; this test runs `npm ci` there when node_modules is missing). It synthesizes the stack offline, the way
// `cdk synth` drives a CDK app (CDK_OUTDIR + CDK_CONTEXT_JSON, NodejsFunction bundled locally by esbuild, no
// Docker), checks the template, then runs the synthesized function asset in the Lambda emulator and registers its
// version ARN with restate-server the way the ServiceDeployer's custom resource does (with the invoker role).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientEnv, registerLambdaDeployment, startLambdaEmulator, type LambdaEmulator } from "../../../src/testing/index.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { repoRoot } from "./support/spawn-endpoint.js";

const cdkDir = path.join(repoRoot, "examples/cdk");
const ACCOUNT = "123456789012";
const REGION = "eu-central-1";
const ADMIN_URL = "https://restate.example.com:9070";

type Resource = { Type: string; Properties: Record<string, any> };

describe("examples/cdk: cdk synth offline → template → the synthesized asset in the Lambda emulator, by ARN", () => {
  let outdir: string;
  let resources: Record<string, Resource>;
  let emulator: LambdaEmulator | undefined;
  let server: RestateServer | undefined;

  const find = (predicate: (r: Resource) => boolean): [string, Resource] => {
    const found = Object.entries(resources).filter(([, r]) => predicate(r));
    if (found.length !== 1) throw new Error(`expected one matching resource, found ${found.length}`);
    return found[0]!;
  };
  const sagaFunction = () => find((r) => r.Type === "AWS::Lambda::Function" && r.Properties.Handler === "index.handler");

  beforeAll(async () => {
    if (!fs.existsSync(path.join(cdkDir, "node_modules/aws-cdk-lib"))) {
      const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: cdkDir, encoding: "utf8" });
      if (install.status !== 0) throw new Error(`npm ci in examples/cdk failed:\n${install.stdout}${install.stderr}`);
    }
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-cdk-"));
    const synth = spawnSync(process.execPath, ["app.mjs"], {
      cwd: cdkDir,
      encoding: "utf8",
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ account: ACCOUNT, region: REGION, restateAdminUrl: ADMIN_URL }) },
    });
    if (synth.status !== 0) throw new Error(`the CDK app failed to synthesize:\n${synth.stdout}${synth.stderr}`);
    resources = (JSON.parse(fs.readFileSync(path.join(outdir, "HolidaySaga.template.json"), "utf8")) as { Resources: Record<string, Resource> }).Resources;
    emulator = await startLambdaEmulator({ region: REGION, accountId: ACCOUNT });
    server = await startRestateServer({ env: lambdaClientEnv(emulator) });
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
    await emulator?.stop();
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  it("the function: Node.js 22 on arm64, index.handler, 30 s, its code an esbuild bundle", () => {
    const [, fn] = sagaFunction();
    expect(fn.Properties).toMatchObject({ Runtime: "nodejs22.x", Handler: "index.handler", Architectures: ["arm64"], Timeout: 30, MemorySize: 512 });
    const assetDir = path.join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    expect(fs.readdirSync(assetDir)).toEqual(["index.js"]);
  });

  it("the registration: a RestateServiceDeployment of the function's version, with the invoker role, allowed to invoke it", () => {
    const [fnId] = sagaFunction();
    const [versionId] = find((r) => r.Type === "AWS::Lambda::Version" && r.Properties.FunctionName?.Ref === fnId);
    const [, registration] = find((r) => r.Type === "Custom::RestateServiceDeployment");
    const [roleId] = find((r) => r.Type === "AWS::IAM::Role" && /restate-server/.test(r.Properties.Description ?? ""));
    expect(registration.Properties).toMatchObject({
      adminUrl: ADMIN_URL,
      serviceLambdaArn: { Ref: versionId }, // a version ARN: each code change registers a new deployment
      invokeRoleArn: { "Fn::GetAtt": [roleId, "Arn"] },
    });
    const [, policy] = find((r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain("lambda:InvokeFunction");
  });

  it("the synthesized asset runs the saga through restate-server, registered by ARN under the invoker role", async () => {
    const [, fn] = sagaFunction();
    const published = await emulator!.deploy({
      name: "HolidaySaga-HolidayFunction",
      code: path.join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`),
      handler: fn.Properties.Handler,
      timeoutSeconds: fn.Properties.Timeout,
      memoryMb: fn.Properties.MemorySize,
    });
    // What the ServiceDeployer's custom resource sends: the version ARN and the invoker role to assume.
    const registered = await registerLambdaDeployment(server!.adminUrl, published.versionArn, {
      assumeRoleArn: `arn:aws:iam::${ACCOUNT}:role/HolidaySaga-InvokerRole`,
    });
    expect(registered.services.map((s) => s.name).sort()).toEqual(["cars", "flights", "payments", "trips"]);
    const res = await fetch(`${server!.ingressUrl}/trips/reserve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        customer: { name: "Ada", email: "ada@example.com" },
        flight: { from: "Berlin", to: "Lisbon", date: "2026-07-14", passengers: 2 },
        car: { city: "Lisbon", pickUp: "2026-07-14", days: 5 },
        payment: { card: "4242424242424242", amount: 1290, currency: "EUR" },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "confirmed" });
  });
});
