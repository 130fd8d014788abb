// perdure/lambda the way it runs on AWS: the bundled function in the Lambda emulator of perdure/testing,
// restate-server started with AWS_ENDPOINT_URL_LAMBDA pointing at it, the deployment registered by ARN. The server's
// own Lambda invoker sends the API Gateway v1 events and reads the results. Shared scenario set on V6, plus the
// Lambda context, the 6 MB response limit and the function timeout as the server sees them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaClientEnv, registerLambdaDeployment, type PublishedVersion } from "../../../src/testing/index.js";
import { deploymentInfo, invocationStatus, killInvocation, waitFor } from "../support/admin.js";
import { callOk, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { startLambdaFunctions, type LambdaFunctionUnderTest } from "./support/lambda-function.js";
import { Processes } from "./support/processes.js";
import { bundleForNode, fixturePath } from "./support/runtime-endpoints.js";

const FUNCTION = "perdure-lambda-e2e";
const SHORT = "perdure-lambda-short";
const INVOKER_ROLE = "arn:aws:iam::123456789012:role/restate-invoker";

describe("perdure/lambda in the Lambda emulator, registered by ARN (protocol V6)", () => {
  const processes = new Processes();
  let server: RestateServer;
  let lambda: LambdaFunctionUnderTest;
  let published: PublishedVersion;
  let tmp: string | undefined;
  let cell: ScenarioEnv | undefined;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-"));
    const bundle = await bundleForNode(fixturePath("lambda-endpoint.ts"), tmp);
    lambda = await startLambdaFunctions();
    await processes.startAll([Promise.resolve(lambda)]);
    published = await lambda.deploy(FUNCTION, bundle);
    // The same code with a 2 s timeout, its services under another prefix, invoked under an assumed role.
    const short = await lambda.deploy(SHORT, bundle, { timeoutSeconds: 2, environment: { PERDURE_PREFIX: "Short" } });
    [server] = await processes.startAll([startRestateServer({ env: lambdaClientEnv(lambda.emulator) })]);
    const { id } = await registerLambdaDeployment(server.adminUrl, published.versionArn);
    await registerLambdaDeployment(server.adminUrl, short.versionArn, { assumeRoleArn: INVOKER_ROLE });
    cell = {
      ingressUrl: server.ingressUrl,
      adminUrl: server.adminUrl,
      deploymentId: id,
      requestCount: async (p) => lambda.requestCount(FUNCTION, p),
    };
  });
  afterAll(async () => {
    await processes.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("the shared scenario set, request-response through the server's Lambda invoker", () => {
    defineScenarioCases(() => cell!, {
      prefix: "",
      mode: "request-response",
      httpVersion: "Lambda", // the admin API reports the ARN (the server calls the Invoke API, not the function)
      runtime: "node ", // Lambda's Node.js runtime: the emulator's child processes
      extraArgs: 1, // the Lambda context
      countsRequests: true,
    });
  });

  it("the deployment is the function's version ARN; discovery was one Lambda event; a greeting took one event per attempt", async () => {
    const info = await deploymentInfo(server.adminUrl, cell!.deploymentId);
    expect(JSON.stringify(info)).toContain(published.versionArn);
    expect(lambda.requestCount(FUNCTION, "/discover")).toBe(1);
    const before = lambda.requestCount(FUNCTION, "/invoke/Greeter/greet");
    expect(await callOk(server.ingressUrl, "Greeter/greet", "ann")).toBe("Hello, ANN!");
    // run proposal → suspension, then sleep → suspension, then the output.
    expect(lambda.requestCount(FUNCTION, "/invoke/Greeter/greet") - before).toBeGreaterThanOrEqual(3);
    // Sequential events reuse warm environments: far fewer cold starts than invocations.
    const stats = lambda.emulator.stats(FUNCTION);
    expect(stats.coldStarts).toBeLessThan(stats.invocations / 2);
  });

  it("handlers see the Lambda context as ctx.request().extraArgs[0]", async () => {
    expect(await callOk(server.ingressUrl, "LambdaInfo/context")).toEqual({ functionName: FUNCTION, hasRequestId: true });
  });

  it("an output over the 6 MB limit becomes an attempt failure that names the limit, and is retried", async () => {
    const id = await send(server.ingressUrl, "LambdaInfo/big", 5_000_000);
    const status = await waitFor(
      async () => {
        const s = await invocationStatus(server.adminUrl, id);
        return s?.last_failure ? s : undefined;
      },
      15_000,
      "a recorded failure",
      100,
    );
    expect(status.last_failure).toMatch(/response too large for AWS Lambda/);
    expect(status.last_failure).toMatch(/over the 6291456-byte limit \(6 MB\)/);
    expect(status.status).not.toBe("completed");
    await killInvocation(server.adminUrl, id);
  });

  it("an invocation that outlasts the function timeout fails as Lambda reports it (Unhandled), and is retried", async () => {
    const id = await send(server.ingressUrl, "ShortLambdaInfo/stall", 4_000);
    const status = await waitFor(
      async () => {
        const s = await invocationStatus(server.adminUrl, id);
        return s?.last_failure ? s : undefined;
      },
      20_000,
      "a recorded failure",
      100,
    );
    expect(status.last_failure).toMatch(/Task timed out after 2\.00 seconds/);
    expect(status.status).not.toBe("completed");
    await killInvocation(server.adminUrl, id);
  });

  it("a deployment registered with assume_role_arn is invoked under that role (STS AssumeRole first), the other one directly", () => {
    expect([...lambda.rolesOf(SHORT)]).toEqual([INVOKER_ROLE]);
    expect([...lambda.rolesOf(FUNCTION)]).toEqual(["none"]);
  });
});
